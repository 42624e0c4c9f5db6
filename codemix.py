"""Dictionary code-mixing (COMMIT: Lee, Jung and Hwang, NAACL Findings 2024).

Each word of English instruction data is replaced, with probability alpha, by one of its
translations in a bilingual dictionary (MUSE, Conneau et al. 2018), so that an English-centric
model sees the target language inside the tasks it already knows. COMMIT mixes the instruction,
input and output but never the English Alpaca template around them; the template is applied later,
by tokenize_prep.py, to the mixed fields. `--naive=True` is COMMIT's baseline (their Table 4) that
mixes the rendered prompt, template included. Align mode mixes a target-language corpus with the
dictionary read backwards (target words -> English) for continued pretraining before COMMIT.

    python codemix.py                                  # the demo: data/demo/alpaca_en.json, en-hi
    python codemix.py --mode=align                     # the demo's Hindi corpus, Hindi -> English
    python codemix.py --input_file=alpaca_data.json --dictionary_file=en-hi.txt --output_file=alpaca_hi.json
"""

import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

from model import format_prompt
from plumbing import (InputError, ReadOnly, atomic_path, check_apart, configure, decode_utf8, lock, on_interrupt,
                      read_records, read_text)

# -----------------------------------------------------------------------------------------------
# Words and punctuation

WHITESPACE = re.compile(r'(\s+)')  # the parentheses keep the separators, so text re-joins exactly


def is_punctuation(ch):
    # COMMIT's rule (thnkinbtfly/COMMIT EasyLM/data.py, `_is_punctuation`, itself BERT's): every
    # ASCII character that is not a letter or digit, and every Unicode punctuation (P*) character,
    # e.g. the Devanagari danda '।'.
    cp = ord(ch)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or \
        unicodedata.category(ch).startswith('P')


def split_word(word):
    """'"Hello,' -> ('"', 'Hello', ','): the punctuation around a word, which COMMIT strips before
    the lookup and puts back after it. Punctuation inside a word stays ("don't", "step-by-step")."""
    i, j = 0, len(word)
    while i < j and is_punctuation(word[i]):
        i += 1
    while j > i and is_punctuation(word[j - 1]):
        j -= 1
    return word[:i], word[i:j], word[j:]


# -----------------------------------------------------------------------------------------------
# Dictionaries


def load_dictionary(path, reverse=False, separator=''):
    """{word: [translations]} from a bilingual dictionary, one `source<sep>target` pair a line.
    separator '' is MUSE's format: a tab, else one space (as COMMIT's load_dict reads it); ' @ '
    reads hunalign .dict files. reverse=True maps the second column to the first. A word may have
    several lines; its translations keep their file order (so a seeded draw never depends on
    hashing) and a pair listed twice counts once, so that the draw is uniform over translations.
    Lines that are not two non-empty fields without whitespace are skipped (blank lines silently).
    Returns (dictionary, skipped line numbers)."""
    dictionary, skipped = {}, []
    for n, line in enumerate(read_text(path, 'dictionary').split('\n'), 1):
        line = line.strip()
        if not line:
            continue
        fields = line.split(separator or ('\t' if '\t' in line else ' '))
        if len(fields) != 2 or not all(f and not re.search(r'\s', f) for f in fields):
            skipped.append(n)
            continue
        source, target = fields[::-1] if reverse else fields
        translations = dictionary.setdefault(source, [])
        if target not in translations:
            translations.append(target)
    if not dictionary:
        raise InputError(f"{path}: no `source<TAB>target` pairs in this dictionary ({len(skipped)} lines "
                         f"skipped); give a MUSE-format file, or set dict_separator for another format")
    return dictionary, skipped


# -----------------------------------------------------------------------------------------------
# Code-mixing


def mix_text(text, dictionary, alpha, rng, ignore_case=False):
    """Replace each dictionary word of `text`, with probability alpha, by a translation drawn
    uniformly (COMMIT EasyLM/data.py: codemix_sentence, codemix_word_considering_punct,
    codemix_word). Words are split on whitespace, every separator kept, so alpha=0 gives the text
    back exactly; COMMIT splits on ' ' only, so there a word glued to the next by a newline was never
    looked up. The lookup is exact, as in COMMIT; ignore_case=True also tries the lowercase word
    (our addition: MUSE is lowercase, so COMMIT never mixes a capitalised sentence start). COMMIT
    draws from the unseeded global `random`; here every draw comes from `rng`, so a seed repeats.
    Returns (text, stats): words seen, words found in the dictionary, words replaced."""
    stats = Counter(words=0, found=0, replaced=0)
    parts = WHITESPACE.split(text)
    for k in range(0, len(parts), 2):  # even places hold words, odd ones the whitespace between
        lead, core, trail = split_word(parts[k])
        if not core:
            continue  # empty or only punctuation
        stats['words'] += 1
        translations = dictionary.get(core) or (dictionary.get(core.lower()) if ignore_case else None)
        if translations is None:
            continue
        stats['found'] += 1
        # as COMMIT: one draw decides, a second picks the translation; words not in the dictionary
        # draw nothing, so the stream of decisions depends only on the dictionary words
        if rng.random() < alpha:
            parts[k] = lead + rng.choice(translations) + trail
            stats['replaced'] += 1
    return ''.join(parts), stats


def mix_records(records, dictionary, alpha, rng, naive=False, ignore_case=False):
    """Code-mix Alpaca records. COMMIT: mix instruction, input and output, never the English template
    that tokenize_prep.py puts around them. naive=True (COMMIT's baseline): render the Alpaca prompt and
    mix all of it, template included, into {prompt, output} records. Returns (records, stats)."""
    out, total = [], Counter(words=0, found=0, replaced=0)

    def mix(text):
        mixed, stats = mix_text(text, dictionary, alpha, rng, ignore_case)
        total.update(stats)
        return mixed

    for r in records:
        if naive:
            prompt = mix(format_prompt(r['instruction'], r['input']))
            out.append({'prompt': prompt, 'output': mix(r['output'])})
        else:
            out.append({'instruction': mix(r['instruction']), 'input': mix(r['input']), 'output': mix(r['output'])})
    return out, total


def mix_corpus(in_path, out_path, dictionary, alpha, rng, ignore_case=False):
    """Align mode: code-mix a plain-text corpus (one document a line), streaming, so that a corpus
    larger than memory works. Line ends are kept. Returns stats (documents, words, found, replaced)."""
    total = Counter(documents=0, words=0, found=0, replaced=0)
    try:
        f = open(in_path, 'rb')
    except OSError as e:
        raise InputError(f"{in_path}: cannot read this corpus ({e.strerror})")
    with f, atomic_path(out_path) as tmp, open(tmp, 'w', encoding='utf-8', newline='') as w:
        for n, raw in enumerate(f, 1):
            line = decode_utf8(raw, in_path, n).removeprefix('\ufeff' if n == 1 else '')  # as 'utf-8-sig' reads
            mixed, stats = mix_text(line, dictionary, alpha, rng, ignore_case)
            total['documents'] += bool(line.strip())
            total.update(stats)
            w.write(mixed)
        if not total['documents']:
            raise InputError(f"{in_path}: the corpus is empty; give plain text, one document a line")
    return total


def report(stats, alpha):
    words = max(stats['words'], 1)
    return (f"words {stats['words']:,}, found in the dictionary {stats['found']:,} "
            f"({100 * stats['found'] / words:.1f}%), replaced {stats['replaced']:,} "
            f"({100 * stats['replaced'] / words:.1f}% of words; alpha {alpha})")


# -----------------------------------------------------------------------------------------------
# `python codemix.py`: the demo's COMMIT instruction data, or its align corpus with --mode=align

DEMO_DICTIONARY = 'data/demo/dict/en-hi.txt'
DEMO = {'instruction': ('data/demo/alpaca_en.json', 'out/demo/codemix/alpaca_en_codemix_hi.json'),
        'align': ('data/demo/hi.train.txt', 'out/demo/codemix/hi.train_codemix_en.txt')}

mode = 'instruction'  # 'instruction' (COMMIT) or 'align' (code-mixed continued pretraining)
input_file = ''  # instruction mode: Alpaca JSON/JSONL; align: plain text, one document a line. '' = the demo's
output_file = ''  # '' = the demo's, only when input_file is ''
dictionary_file = ''  # a bilingual English-target dictionary ('' = the demo's en-hi, only when input_file is '')
dict_columns = 'en-x'  # 'en-x': English first (MUSE en-hi.txt); 'x-en': target first (MUSE hi-en.txt, hunalign .dict)
dict_separator = ''  # '' = MUSE (a tab, else one space); ' @ ' for hunalign .dict files
alpha = 0.9  # instruction mode's mixing rate (COMMIT README: codemix_ratio=0.9)
align_alpha = 0.5  # align mode's mixing rate (COMMIT README, "Aligning before COMMIT": codemix_ratio=0.5)
naive = False  # COMMIT's naive baseline: mix the whole prompt, English template included
ignore_case = False  # also look words up in lowercase (not in COMMIT, which matches exactly)
seed = 1337  # random.Random(seed): the same seed, the same output

if __name__ == '__main__':
    cfg = ReadOnly(**vars(configure(globals())))
    if cfg.mode not in DEMO:
        raise InputError(f"mode {cfg.mode!r}: choose 'instruction' or 'align'")
    if cfg.dict_columns not in ('en-x', 'x-en'):
        raise InputError(f"dict_columns {cfg.dict_columns!r}: choose 'en-x' or 'x-en'")
    rate = cfg.alpha if cfg.mode == 'instruction' else cfg.align_alpha
    if not 0 <= rate <= 1:
        raise InputError(f"alpha {rate}: a probability, between 0 and 1")
    in_path, out_path, dict_path = cfg.input_file, cfg.output_file, cfg.dictionary_file
    if not in_path:
        in_path, out_path, dict_path = DEMO[cfg.mode][0], out_path or DEMO[cfg.mode][1], dict_path or DEMO_DICTIONARY
        for path in (in_path, dict_path):
            if not Path(path).exists():
                raise InputError(f"{path}: the demo data is missing; python data/demo/generate.py writes it")
    if not out_path or not dict_path:
        raise InputError(f"input_file {in_path!r}: set --output_file and --dictionary_file too")
    check_apart(out_path, 'output_file', {'input_file': in_path, 'dictionary_file': dict_path})
    out_lock = lock(out_path)  # held until the process ends: a second run on out_path is refused
    on_interrupt(lambda sig: f"interrupted by {sig}: {out_path} is as it was (it is replaced only when complete); "
                 "run the same command again")
    # the dictionary maps English to the target language; align mode reads it the other way round
    reverse = (cfg.dict_columns == 'x-en') != (cfg.mode == 'align')
    table, skipped = load_dictionary(dict_path, reverse, cfg.dict_separator)
    direction = 'target -> English' if cfg.mode == 'align' else 'English -> target'
    print(f"{dict_path}: {len(table):,} words, {sum(map(len, table.values())):,} pairs ({direction})")
    if skipped:
        print(f"{dict_path}: skipped {len(skipped)} lines that are not pairs (lines "
              f"{', '.join(map(str, skipped[:5]))}{', ...' if len(skipped) > 5 else ''})")
    rng = random.Random(cfg.seed)
    if cfg.mode == 'align':
        stats = mix_corpus(in_path, out_path, table, rate, rng, cfg.ignore_case)
        print(f"{in_path}: {stats['documents']:,} documents; {report(stats, rate)}")
    else:
        records, stats = mix_records(read_records(in_path), table, rate, rng, cfg.naive, cfg.ignore_case)
        with atomic_path(out_path) as tmp:
            tmp.write_text(json.dumps(records, ensure_ascii=False, indent=1) + '\n', encoding='utf-8')
        kind = 'naive: template mixed too' if cfg.naive else 'COMMIT: template untouched'
        print(f"{in_path}: {len(records):,} records ({kind}); {report(stats, rate)}")
    print(f"wrote {out_path}")
