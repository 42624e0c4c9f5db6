"""codemix.py: COMMIT's dictionary code-mixing."""
import json
import os
import random
import string
import subprocess
import sys

import pytest

from conftest import ROOT, asset
import codemix as C
import model as M
import plumbing as P

DICT = ("cat\tबिल्ली\n"
        "cat\tमार्जार\n"
        "dog कुत्ता\n"  # MUSE also separates with one space
        "red\tलाल\n"
        "task\tकार्य\n"
        "below\tनीचे\n"
        "response\tजवाब\n"
        "this line is not a pair\n"  # line 8
        "a\tb\tc\n"  # line 9
        "\n"  # blank: ignored, not counted
        "house\tघर\n"
        "cat\tबिल्ली\n")  # a duplicate pair counts once


@pytest.fixture
def dict_path(tmp_path):
    path = tmp_path / 'en-hi.txt'
    path.write_text(DICT, encoding='utf-8')
    return path


@pytest.fixture
def words(dict_path):
    return C.load_dictionary(dict_path)[0]


def check_mixed(src, mixed, dictionary, ignore_case=False):
    """Word by word: a dictionary word became one of its translations inside the same punctuation;
    every other word and every separator is unchanged. Returns how many words were replaced."""
    a, b = C.WHITESPACE.split(src), C.WHITESPACE.split(mixed)
    assert len(a) == len(b)
    replaced = 0
    for k, (x, y) in enumerate(zip(a, b)):
        lead, core, trail = C.split_word(x)
        found = dictionary.get(core) or (dictionary.get(core.lower()) if ignore_case else None)
        if k % 2 == 0 and core and found:
            assert y.startswith(lead) and y.endswith(trail), (x, y)
            assert y[len(lead):len(y) - len(trail)] in found, (x, y)
            replaced += 1
        else:
            assert y == x
    return replaced


def template_literals(template):
    return [lit for lit, *_ in string.Formatter().parse(template) if lit]


# -----------------------------------------------------------------------------------------------


def test_load_dictionary(dict_path):
    d, skipped = C.load_dictionary(dict_path)
    assert d['cat'] == ['बिल्ली', 'मार्जार']  # file order, the duplicate once
    assert d['dog'] == ['कुत्ता'] and d['house'] == ['घर']
    assert skipped == [8, 9]
    r, _ = C.load_dictionary(dict_path, reverse=True)
    assert r['बिल्ली'] == ['cat'] and r['कुत्ता'] == ['dog'] and 'cat' not in r


def test_other_separator(tmp_path):
    path = tmp_path / 'en-hi.dict'  # hunalign's `TARGET @ SOURCE`
    path.write_text("बिल्ली @ cat\nघर @ house\nnot a pair\n", encoding='utf-8')
    d, skipped = C.load_dictionary(path, reverse=True, separator=' @ ')
    assert d == {'cat': ['बिल्ली'], 'house': ['घर']} and skipped == [3]


def test_split_word():
    assert C.split_word('"(cat)!"') == ('"(', 'cat', ')!"')
    assert C.split_word("don't.") == ('', "don't", '.')
    assert C.split_word('घर।') == ('', 'घर', '।')  # the danda is Unicode punctuation
    assert C.split_word('...') == ('...', '', '')


TEXT = 'The cat, a "dog" and  red.\nhouse-cat (red)! Cat\t\ttask:\n\n1. below; don\'t ... house'


def test_alpha_zero_is_identity(words):
    mixed, stats = C.mix_text(TEXT, words, 0.0, random.Random(0))
    assert mixed == TEXT
    assert stats['replaced'] == 0 and stats['found'] == 7 and stats['words'] == 14


def test_alpha_one_replaces_every_dictionary_word_and_only_those(words):
    mixed, stats = C.mix_text(TEXT, words, 1.0, random.Random(0))
    assert check_mixed(TEXT, mixed, words) == stats['replaced'] == stats['found'] == 7
    assert '"कुत्ता"' in mixed and '(लाल)!' in mixed and 'house-cat' in mixed and ' Cat\t' in mixed
    assert mixed.startswith('The ') and ('बिल्ली,' in mixed or 'मार्जार,' in mixed)
    # the case-insensitive fallback (not in COMMIT) also mixes 'Cat'
    mixed, stats = C.mix_text(TEXT, words, 1.0, random.Random(0), ignore_case=True)
    assert check_mixed(TEXT, mixed, words, ignore_case=True) == stats['replaced'] == 8
    assert ' Cat\t' not in mixed


def test_alpha_is_the_replacement_rate_and_translations_are_uniform(words):
    text = ' '.join(['cat'] * 4000)
    mixed, stats = C.mix_text(text, words, 0.3, random.Random(1))
    assert 0.27 < stats['replaced'] / stats['found'] < 0.33
    counts = [mixed.split().count(t) for t in words['cat']]
    assert abs(counts[0] - counts[1]) < 0.15 * stats['replaced']


def test_seed(words):
    text = ' '.join(['cat dog red house task'] * 20)
    a = C.mix_text(text, words, 0.5, random.Random(7))[0]
    assert a == C.mix_text(text, words, 0.5, random.Random(7))[0]
    assert a != C.mix_text(text, words, 0.5, random.Random(8))[0]


RECORDS = [{'instruction': 'Name a red cat.', 'input': 'The dog, below.', 'output': 'A red house; a task!'},
           {'instruction': 'Describe the response of a dog.', 'input': '', 'output': 'cat'}]


def test_commit_mode_mixes_the_fields_and_never_the_template(words):
    out, stats = C.mix_records(RECORDS, words, 1.0, random.Random(0), ignore_case=True)
    assert [set(r) for r in out] == [{'instruction', 'input', 'output'}] * 2
    n = 0
    for r, m in zip(RECORDS, out):
        for k in r:
            n += check_mixed(r[k], m[k], words, ignore_case=True)
        t = M.PROMPT_TEMPLATES['alpaca']['prompt_input' if m['input'] else 'prompt_no_input']
        prompt = M.format_prompt(m['instruction'], m['input'])
        assert all(lit in prompt for lit in template_literals(t))  # the English template, as is
    assert n == stats['replaced'] == 10


def test_naive_mode_mixes_the_template(words):
    out, stats = C.mix_records(RECORDS, words, 1.0, random.Random(0), naive=True, ignore_case=True)
    assert [set(r) for r in out] == [{'prompt', 'output'}] * 2
    for r, m in zip(RECORDS, out):
        rendered = M.format_prompt(r['instruction'], r['input'])
        check_mixed(rendered, m['prompt'], words, ignore_case=True)
        check_mixed(r['output'], m['output'], words, ignore_case=True)
        assert m['prompt'].startswith('नीचे is an instruction that describes a कार्य')  # 'Below', 'task'
        assert m['prompt'].endswith('### जवाब:')
    # at alpha 0 the naive prompt is exactly the rendered Alpaca prompt
    out, _ = C.mix_records(RECORDS, words, 0.0, random.Random(0), naive=True)
    assert out[0]['prompt'] == M.format_prompt(RECORDS[0]['instruction'], RECORDS[0]['input'])


def test_align_mode_reversed_dictionary(dict_path, tmp_path):
    rev, _ = C.load_dictionary(dict_path, reverse=True)
    corpus = tmp_path / 'hi.txt'
    corpus.write_text('बिल्ली और कुत्ता।\n\nलाल घर, मार्जार\n', encoding='utf-8')
    out = tmp_path / 'out' / 'hi_codemix_en.txt'
    stats = C.mix_corpus(corpus, out, rev, 1.0, random.Random(0))
    assert out.read_text(encoding='utf-8') == 'cat और dog।\n\nred house, cat\n'
    assert stats == {'documents': 2, 'words': 6, 'found': 5, 'replaced': 5}
    C.mix_corpus(corpus, out, rev, 0.0, random.Random(0))
    assert out.read_bytes() == corpus.read_bytes()


def test_read_records_json_and_jsonl(tmp_path):
    (tmp_path / 'a.json').write_text(json.dumps(RECORDS), encoding='utf-8')
    (tmp_path / 'a.jsonl').write_text('\n'.join(json.dumps({k: v for k, v in r.items() if v}) for r in RECORDS) + '\n')
    assert C.read_records(tmp_path / 'a.json') == RECORDS == C.read_records(tmp_path / 'a.jsonl')
    odd = {'instruction': 'a\u2028b', 'input': 'c\x85d', 'output': 'e\rf'}  # line breaks to str.splitlines
    (tmp_path / 'b.jsonl').write_text(json.dumps(odd, ensure_ascii=False) + '\r\n', encoding='utf-8')
    assert C.read_records(tmp_path / 'b.jsonl') == [odd]


# -----------------------------------------------------------------------------------------------
# Bad input: one clear line naming the file (and line), and no output left behind


def test_bad_dictionaries(tmp_path):
    bad = tmp_path / 'bad.txt'
    bad.write_bytes('cat\tबिल्ली\n'.encode() + b'dog\t\xff\xfe\n')
    with pytest.raises(P.InputError, match=rf"{bad} line 2: not valid UTF-8"):
        C.load_dictionary(bad)
    empty = tmp_path / 'empty.txt'
    empty.write_text('just some words here\n\nnothing\n')
    with pytest.raises(P.InputError, match=rf"{empty}: no .* pairs in this dictionary \(2 lines skipped\)"):
        C.load_dictionary(empty)
    with pytest.raises(P.InputError, match='cannot read'):
        C.load_dictionary(tmp_path / 'missing.txt')


def test_bad_records(tmp_path):
    cases = {'list.json': ('[\n{"instruction": "a", "input": "", "output": "b"},\n{"instruction": "a" "output"}\n]',
                           ' line 3: not valid JSON'),
             'lines.jsonl': ('{"instruction": "a", "output": "b"}\n{"instruction": \n', ' line 2: not valid JSON'),
             'utf8.json': (b'[{"instruction": "a",\n "input": "\xc3", "output": "b"}]', ' line 2: not valid UTF-8'),
             'record.json': ('[{"instruction": "a", "output": "b"}, {"prompt": "a"}]', ' record 2: not an Alpaca record'),
             'empty.json': ('[]', ': no instruction records')}
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(P.InputError, match=f"{path}{message}"):
            C.read_records(path)


def test_bad_corpus_leaves_no_output_and_keeps_an_earlier_one(words, tmp_path):
    tmp_path = tmp_path / 'corpus'
    tmp_path.mkdir()
    out = tmp_path / 'mixed.txt'
    out.write_text('an earlier result\n')
    for content, message in [(b'cat\n\ndog\n\xff\n', 'line 4: not valid UTF-8'), (b'\n  \n\n', 'the corpus is empty')]:
        corpus = tmp_path / 'corpus.txt'
        corpus.write_bytes(content)
        with pytest.raises(P.InputError, match=rf"{corpus}:? {message}"):
            C.mix_corpus(corpus, out, words, 0.5, random.Random(0))
        assert out.read_text() == 'an earlier result\n'
        assert sorted(p.name for p in tmp_path.iterdir()) == ['corpus.txt', 'mixed.txt']  # no temporary left


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, 'codemix.py', *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_cli_bad_input(dict_path, tmp_path):
    bad = tmp_path / 'alpaca.json'
    bad.write_text('[{"instruction": "a", "input": "", "output": "b"},\n{"instruction": }]')
    out = tmp_path / 'out.json'
    r = run_cli(f'--input_file={bad}', f'--dictionary_file={dict_path}', f'--output_file={out}')
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and r.stderr.startswith(f'error: {bad} line 2: ')
    assert not out.exists()  # and nothing else but the lock that the run held beside its output (plumbing.lock)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['.out.json.lock', 'alpaca.json', 'en-hi.txt']


def test_cli_instruction_mode_does_not_depend_on_hash_order(dict_path, tmp_path):
    src = tmp_path / 'alpaca.json'
    src.write_text(json.dumps(RECORDS * 5), encoding='utf-8')
    out = tmp_path / 'out' / 'alpaca_hi.json'
    r = run_cli(f'--input_file={src}', f'--dictionary_file={dict_path}', f'--output_file={out}', '--alpha=0.6',
                '--seed=5', env={'PYTHONHASHSEED': '123'})  # this process hashes with another seed
    assert r.returncode == 0, r.stderr
    expected, stats = C.mix_records(RECORDS * 5, C.load_dictionary(dict_path)[0], 0.6, random.Random(5))
    assert 'skipped 2 lines that are not pairs (lines 8, 9)' in r.stdout
    assert f"words {stats['words']}, found in the dictionary {stats['found']} " in r.stdout
    assert json.loads(out.read_text(encoding='utf-8')) == expected


def test_cli_align_mode_reads_the_dictionary_backwards(dict_path, tmp_path):
    corpus = tmp_path / 'hi.txt'
    corpus.write_text('लाल बिल्ली\n', encoding='utf-8')
    out = tmp_path / 'hi_en.txt'
    r = run_cli('--mode=align', f'--input_file={corpus}', f'--dictionary_file={dict_path}', f'--output_file={out}',
                '--align_alpha=1.0')
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding='utf-8') == 'red cat\n'


# -----------------------------------------------------------------------------------------------
# The real thing: MUSE's en-hi dictionary (hunalign layout, `TARGET @ SOURCE`) on real Alpaca data


@pytest.fixture(scope='module')
def muse():
    path = asset('muse/en-hi.dict')
    en_hi, skipped = C.load_dictionary(path, reverse=True, separator=' @ ')
    hi_en, _ = C.load_dictionary(path, separator=' @ ')
    return en_hi, hi_en, skipped


def test_real_muse_dictionary(muse):
    en_hi, hi_en, skipped = muse
    assert skipped == [] and len(en_hi) > 25000
    assert any('\u0900' <= ch <= '\u097f' for t in en_hi['water'] for ch in t)  # Devanagari
    assert 'water' in hi_en['पानी']


def test_real_instructions(muse):
    en_hi, _, _ = muse
    records = json.loads(asset('instructions/alpaca_en_demo.json').read_text(encoding='utf-8'))[:30]
    same, _ = C.mix_records(records, en_hi, 0.0, random.Random(0))
    assert same == [{k: r.get(k, '') for k in ('instruction', 'input', 'output')} for r in records]
    out, stats = C.mix_records(records, en_hi, 1.0, random.Random(0))
    n = sum(check_mixed(r[k], m[k], en_hi) for r, m in zip(records, out) for k in ('instruction', 'input', 'output'))
    assert n == stats['replaced'] == stats['found'] > 0.3 * stats['words']
    a, b, c = (C.mix_records(records, en_hi, 0.9, random.Random(seed))[0] for seed in (1, 1, 2))
    assert a == b != c
    naive, _ = C.mix_records(records, en_hi, 1.0, random.Random(0), naive=True, ignore_case=True)
    assert sum(not p['prompt'].startswith('Below is an instruction') for p in naive) == len(records)


def test_real_align_text(muse, tmp_path):
    _, hi_en, _ = muse
    lines = asset('flores200-devtest/hin_Deva.devtest').read_text(encoding='utf-8').splitlines()[:50]
    (tmp_path / 'hi.txt').write_text('\n'.join(lines) + '\n', encoding='utf-8')
    stats = C.mix_corpus(tmp_path / 'hi.txt', tmp_path / 'out.txt', hi_en, 1.0, random.Random(0))
    mixed = (tmp_path / 'out.txt').read_text(encoding='utf-8').splitlines()
    assert sum(check_mixed(a, b, hi_en) for a, b in zip(lines, mixed)) == stats['replaced'] > 0.3 * stats['words']
