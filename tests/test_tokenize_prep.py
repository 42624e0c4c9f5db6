"""tokenize_prep.py: shards decode to exactly what the tokenizer produced, masks cover exactly the
prompt, workers change nothing, extension keeps English ids, shortening round-trips, bad input is
refused with file and line and leaves nothing behind."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import regex

import model as M
import plumbing as P
import tokenize_prep as T
from conftest import ROOT, TEXT, asset

ENGLISH = [f"Line {i}: the river runs past {i * 7 % 13} old mills, and bakers open at dawn." for i in range(60)]
HINDI = ["नदी के किनारे एक पुराना गाँव है और लोग सुबह बाज़ार जाते हैं।", "मेरा नाम राम है और मैं दिल्ली में रहता हूँ।",
         "आज मौसम बहुत अच्छा है, चलो पार्क में घूमने चलते हैं।", "किताब मेज़ पर रखी है और बच्चे खेल रहे हैं।",
         "हम कल सुबह ट्रेन से मुंबई जाएंगे।", "यह सड़क शहर के बीच से होकर गुजरती है।"]
THAI_TELUGU = ["สวัสดีครับ วันนี้อากาศดีมาก", "నేను ఈ రోజు బడికి వెళ్తాను.", "मिश्रित text with ಕನ್ನಡ and ગુજરાતી."]
ALPACA = [{'instruction': 'Name a colour.', 'input': '', 'output': 'Blue.'},
          {'instruction': 'Translate to French.', 'input': 'The dog sleeps.', 'output': 'Le chien dort.'},
          {'instruction': 'Add the numbers.', 'input': '2 and 3', 'output': '5'},
          {'instruction': 'Say hello in Hindi.', 'output': 'नमस्ते'}]


def settings(**kw):
    cfg = P.configure(vars(T), [])
    base = dict(pretrain={}, pretrain_val={}, pretrain_budget={}, sft={}, sft_budget={}, shorten={}, report={},
                extend={}, workers=1, val_fraction=0.0)
    for k, v in {**base, **kw}.items():
        setattr(cfg, k, v)
    return P.ReadOnly(**vars(cfg))  # as main() gets it: any assignment in tokenize_prep.py fails the test


def write(path, lines):
    path.write_text(''.join(line + '\n' for line in lines), encoding='utf-8')
    return str(path)


def documents(shard, bos):
    """Split a shard at its BOS tokens: (tokens, mask) per document."""
    tokens = np.asarray(shard.tokens)
    starts = np.flatnonzero(tokens == bos).tolist() + [len(tokens)]
    assert starts[0] == 0
    return [(tokens[a:b].tolist(), None if shard.mask is None else np.asarray(shard.mask[a:b]).tolist())
            for a, b in zip(starts, starts[1:])]


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / 'in'
    d.mkdir()
    (d / 'alpaca.json').write_text(json.dumps(ALPACA, ensure_ascii=False))
    write(d / 'en-hi.tsv', [f"{e}\t{h}" for e, h in zip(ENGLISH, HINDI)])
    long = [' '.join(HINDI[i:] + ENGLISH[:i]) for i in range(6)]  # long documents take another path
    return {'en': write(d / 'en.txt', ENGLISH), 'hi': write(d / 'hi.txt', HINDI * 5), 'long': write(d / 'long.txt', long),
            'long_docs': long, 'dir': d}


# ---------------------------------------------------------------- shards


def test_shards_decode_to_what_the_tokenizer_produced(sp_tokenizer, corpus, tmp_path):
    tok = M.Tokenizer(sp_tokenizer)
    val = write(tmp_path / 'en.val.txt', ENGLISH[:5])
    cfg = settings(out_dir=str(tmp_path / 'out'), pretrain={'en': corpus['en'], 'hi': corpus['hi'], 'xx': corpus['long']},
                   pretrain_val={'en': val, 'xx': val}, val_fraction=0.3)
    meta = T.prepare(cfg, sp_tokenizer)
    assert meta['tokenizer_sha256'] == tok.sha256 and meta['vocab_size'] == 300 and meta['dtype'] == 'uint16'
    en = documents(T.read_shard(tmp_path / 'out/en.train.bin'), tok.bos_id)
    assert [d for d, _ in en] == [tok.encode(line, bos=True, eos=False) for line in ENGLISH]
    long = documents(T.read_shard(tmp_path / 'out/xx.train.bin'), tok.bos_id)
    assert [d for d, _ in long] == [tok.encode(line, bos=True, eos=False) for line in corpus['long_docs']]
    val_docs = documents(T.read_shard(tmp_path / 'out/en.val.bin'), tok.bos_id)
    assert [d for d, _ in val_docs] == [tok.encode(s, True, False) for s in ENGLISH[:5]]
    # hi holds out a seeded 30%: train and val interleave back into the corpus, in order
    train = [d for d, _ in documents(T.read_shard(tmp_path / 'out/hi.train.bin'), 1)]
    held = [d for d, _ in documents(T.read_shard(tmp_path / 'out/hi.val.bin'), 1)]
    assert 0 < len(held) < len(train)
    for line in HINDI * 5:
        ids = tok.encode(line, True, False)
        source = train if train and train[0] == ids else held
        assert source.pop(0) == ids and tok.decode(ids) == line
    assert not train and not held
    assert meta['shards']['hi.val.bin']['documents'] + meta['shards']['hi.train.bin']['documents'] == 30


def test_tiktoken_shards(tiktoken_file, corpus, tmp_path):
    tok = M.Tokenizer(tiktoken_file)
    T.prepare(settings(out_dir=str(tmp_path / 'out'), pretrain={'en': corpus['en']}, pretrain_eos=True), tiktoken_file)
    docs = documents(T.read_shard(tmp_path / 'out/en.train.bin'), tok.bos_id)
    assert [d for d, _ in docs] == [tok.encode(line, bos=True, eos=True) for line in ENGLISH]


def test_a_hugging_face_folder_as_tokenizer_path(tiktoken_file, corpus, tmp_path):
    """tokenizer_path may name a Hugging Face folder or its tokenizer.json: the same vocabulary as Meta's
    file, so the same extension, the same shards and the same tokenizer_digest (not the same file sha256)."""
    M.save_hf_tokenizer(M.Tokenizer(tiktoken_file), tmp_path / 'hf')
    names = {'meta': tiktoken_file, 'folder': tmp_path / 'hf', 'json': tmp_path / 'hf/tokenizer.json'}
    for name, path in names.items():
        T.main(settings(tokenizer_path=str(path), pretrain={'en': corpus['en'], 'hi': corpus['hi']},
                        out_dir=str(tmp_path / name), extend={'hi': corpus['hi']}, extend_vocab_size=30,
                        extend_out=str(tmp_path / f'{name}.ext.model'), english_text=corpus['en']))
    metas = {name: T.read_meta(tmp_path / name) for name in names}
    base = {name: m['base_tokenizer'] for name, m in metas.items()}
    assert {b['digest'] for b in base.values()} == {M.Tokenizer(tiktoken_file).digest}
    assert base['meta']['sha256'] != base['json']['sha256'] and base['folder']['path'] == str(names['json'])
    assert all(T.same_tokenizer(metas['meta'], m) for m in metas.values())
    for name in ('folder', 'json'):
        assert (tmp_path / f'{name}.ext.model').read_bytes() == (tmp_path / 'meta.ext.model').read_bytes()
        for shard in ('en.train.bin', 'hi.train.bin'):
            assert (tmp_path / name / shard).read_bytes() == (tmp_path / 'meta' / shard).read_bytes()


def test_truncated_or_foreign_shards_are_refused(tmp_path):
    T.write_shard(tmp_path / 'a.bin', np.arange(100, dtype=np.uint16), mask=np.ones(100, np.uint8))
    assert T.read_shard(tmp_path / 'a.bin').tokens.tolist() == list(range(100))
    (tmp_path / 'cut.bin').write_bytes((tmp_path / 'a.bin').read_bytes()[:-3])
    with pytest.raises(P.InputError, match='truncated'):
        T.read_shard(tmp_path / 'cut.bin')
    (tmp_path / 'foreign.bin').write_bytes(b'PK\x03\x04' + bytes(100))
    (tmp_path / 'tiny.bin').write_bytes(b'LLX')
    for name in ('foreign.bin', 'tiny.bin'):
        with pytest.raises(P.InputError, match='not a token shard'):
            T.read_shard(tmp_path / name)
    assert T.token_dtype(32000) == np.uint16 and T.token_dtype(128256) == np.uint32


def test_output_is_identical_for_one_and_two_workers(sp_tokenizer, corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(T, 'BLOCK_BYTES', 700)  # many blocks, so that the workers really interleave
    common = dict(pretrain={'en': corpus['en'], 'hi': [corpus['hi'], corpus['en'], corpus['long']]}, val_fraction=0.2,
                  pretrain_budget={'en': 900}, shorten={'hi': 0xE0},
                  sft={'mix': {'a': {'path': str(corpus['dir'] / 'alpaca.json'), 'lang': 'en'},
                               't': {'path': str(corpus['dir'] / 'en-hi.tsv'), 'lang': 'en-hi'}}})
    for n in (1, 2):
        T.prepare(settings(out_dir=str(tmp_path / f'out{n}'), workers=n, **common), sp_tokenizer)
    files = sorted(p.name for p in (tmp_path / 'out1').iterdir())
    assert files == sorted(p.name for p in (tmp_path / 'out2').iterdir()) and 'mix.train.bin' in files
    for name in files:
        assert (tmp_path / 'out1' / name).read_bytes() == (tmp_path / 'out2' / name).read_bytes(), name
    assert T.read_meta(tmp_path / 'out1')['shards']['en.train.bin']['tokens'] == 900  # the budget, exactly


# ---------------------------------------------------------------- instructions


def test_loss_mask_is_exactly_the_prompt(sp_tokenizer, corpus, tmp_path):
    tok = M.Tokenizer(sp_tokenizer)
    src = {'a': {'path': str(corpus['dir'] / 'alpaca.json'), 'lang': 'en'}}
    T.prepare(settings(out_dir=str(tmp_path / 'out'), sft={'sft': src}), sp_tokenizer)
    got = sorted(documents(T.read_shard(tmp_path / 'out/sft.train.bin'), tok.bos_id))
    expected = []
    for r in ALPACA:
        prompt = M.format_prompt(r['instruction'], r.get('input', ''))
        assert ('### Input:' in prompt) == bool(r.get('input'))
        p, o = tok.encode(prompt, bos=True, eos=False), tok.encode(r['output'], bos=False, eos=True)
        expected.append((p + o, [0] * len(p) + [1] * len(o)))
    assert got == sorted(expected)


def test_translation_pairs_and_rendered_prompts(sp_tokenizer, corpus, tmp_path):
    assert T.translation_instruction('en', 'zh') == "Translate the following sentences from English to Chinese."
    assert T.translation_instruction('en', 'hi', 1) == "What do the following sentences mean in Hindi?"
    d = corpus['dir']
    write(d / 'a.en', ENGLISH[:3])
    write(d / 'a.hi', HINDI[:3])
    (d / 'naive.jsonl').write_text(json.dumps({'prompt': 'RENDERED नदी', 'output': 'ok'}, ensure_ascii=False) + '\n')
    got, lang = T.read_source('t', {'path': str(d / 'en-hi.tsv'), 'lang': 'en-hi'}, 'alpaca')
    assert lang == 'hi' and got[0] == (M.format_prompt(T.translation_instruction('en', 'hi', 0), ENGLISH[0]), HINDI[0])
    assert got[1][0].startswith(M.format_prompt(T.translation_instruction('en', 'hi', 1), ENGLISH[1])[:60])
    two_files = {'path': [str(d / 'a.en'), str(d / 'a.hi')], 'lang': 'en-hi', 'direction': 'hi-en'}
    back, lang = T.read_source('t', two_files, 'alpaca')
    assert lang == 'en' and back[2] == (M.format_prompt(T.translation_instruction('hi', 'en', 2), HINDI[2]), ENGLISH[2])
    write(d / 'hi-en.tsv', [f"{h}\t{e}" for e, h in zip(ENGLISH, HINDI)])
    hi_first, _ = T.read_source('t', {'path': str(d / 'hi-en.tsv'), 'lang': 'hi-en'}, 'alpaca')
    assert hi_first[0][1] == HINDI[0]  # English to X by default, whatever the column order
    assert T.read_source('n', {'path': str(d / 'naive.jsonl'), 'lang': 'hi'}, 'alpaca')[0] == [('RENDERED नदी', 'ok')]
    assert T.read_source('x', {'path': str(d / 'missing.json'), 'lang': 'hi', 'optional': True}, 'alpaca') is None


def test_budgets_draw_seeded_examples(sp_tokenizer, corpus, tmp_path):
    src = {'t': {'path': str(corpus['dir'] / 'en-hi.tsv'), 'lang': 'en-hi'},
           'a': {'path': str(corpus['dir'] / 'alpaca.json'), 'lang': 'en'}}
    runs = [T.prepare(settings(out_dir=str(tmp_path / f'o{i}'), sft={'m': src}, sft_budget={'t': 4, 'a': 2}, seed=s),
                      sp_tokenizer) for i, s in enumerate((7, 7, 8))]
    assert runs[0]['shards']['m.train.bin']['documents'] == 6
    assert runs[0]['mixtures']['m']['t']['examples'] == 4
    one, two, other = ((tmp_path / f'o{i}/m.train.bin').read_bytes() for i in range(3))
    assert one == two and one != other



def test_a_budget_trains_exactly_its_count(sp_tokenizer, tmp_path):
    """LBE's 1K SFT is 1,000 examples (issue 23): the held-out share is drawn from what the budget left,
    so the training shard holds the budget, and holding out changes none of its examples."""
    records = [{'instruction': f'Count to {i}.', 'input': '', 'output': f'{i} done.'} for i in range(1100)]
    (tmp_path / 'big.json').write_text(json.dumps(records))
    src = {'m': {'big': {'path': str(tmp_path / 'big.json'), 'lang': 'en'}}}

    def run(name, **kw):
        return T.prepare(settings(out_dir=str(tmp_path / name), sft=src, seed=3, **kw), sp_tokenizer)['shards']
    held = run('held', sft_budget={'big': 1000}, val_fraction=0.01)
    run('none', sft_budget={'big': 1000})
    assert held['m.train.bin']['documents'] == 1000 and held['m.val.bin']['documents'] == 10
    assert (tmp_path / 'held/m.train.bin').read_bytes() == (tmp_path / 'none/m.train.bin').read_bytes()
    bos = M.Tokenizer(sp_tokenizer).bos_id
    train, val = ({tuple(t) for t, _ in documents(T.read_shard(tmp_path / f'held/m.{s}.bin'), bos)} for s in ('train', 'val'))
    assert len(train) == 1000 and len(val) == 10 and not train & val
    whole = run('whole', sft_budget={'big': 1100}, val_fraction=0.01)  # nothing left beyond the budget
    assert whole['m.train.bin']['documents'] == 1100 and 'm.val.bin' not in whole
    free = run('free', val_fraction=0.01)  # no budget: 1% of the source held out
    assert free['m.train.bin']['documents'] == 1089 and free['m.val.bin']['documents'] == 11

# ---------------------------------------------------------------- vocabulary


def coarsens(base, ext, line):
    """Every extended token covers whole base tokens: its byte boundaries are among the base's."""
    def cuts(tok):
        ends, pos = set(), 0
        for i in tok.encode(line, False, False):
            pos += 1 if tok.sp.is_byte(i) else len(tok.sp.id_to_piece(i).encode())
            ends.add(pos)
        return ends
    return cuts(ext) <= cuts(base)


def test_extension_keeps_english_and_shortens_hindi(sp_tokenizer, tmp_path):
    hindi = write(tmp_path / 'hi.txt', HINDI * 20)
    base = M.Tokenizer(sp_tokenizer)
    ext = T.extend_tokenizer(sp_tokenizer, {'hi': hindi}, tmp_path / 'ext/tokenizer.model', vocab_size=200)
    assert ext.n_words > base.n_words
    for i in range(base.n_words):
        assert ext.sp.id_to_piece(i) == base.sp.id_to_piece(i) and ext.sp.get_score(i) == base.sp.get_score(i)
    for line in TEXT.splitlines() + ENGLISH + ['Café “quoted” – 3½ naïve ü']:
        assert ext.encode(line, True, True) == base.encode(line, True, True)
    assert sum(len(ext.encode(s, False, False)) for s in HINDI) < 0.5 * sum(len(base.encode(s, False, False)) for s in HINDI)
    for line in HINDI + THAI_TELUGU:
        assert ext.decode(ext.encode(line, False, False)) == base.decode(base.encode(line, False, False))
        assert coarsens(base, ext, line)
    again = T.extend_tokenizer(sp_tokenizer, {'hi': hindi}, tmp_path / 'again.model', vocab_size=200)
    assert again.sha256 == ext.sha256  # deterministic


def test_extension_on_flores_with_llama2(tmp_path):
    llama2 = asset('tokenizers/llama2/tokenizer.model')
    flores = {k: asset(f'flores200-devtest/{k}.devtest').read_text().splitlines()
              for k in ('eng_Latn', 'hin_Deva', 'zho_Hans')}
    texts = {k: write(tmp_path / f'{k}.txt', flores[k][:800]) for k in ('hin_Deva', 'zho_Hans')}
    base = M.Tokenizer(llama2)
    ext = T.extend_tokenizer(llama2, texts, tmp_path / 'ext.model', vocab_size=4000)
    for k in ('hin_Deva', 'zho_Hans'):  # held-out lines
        before = sum(len(base.encode(s, False, False)) for s in flores[k][800:])
        after = sum(len(ext.encode(s, False, False)) for s in flores[k][800:])
        assert after < 0.7 * before, (k, before, after)
        assert all(ext.decode(ext.encode(s, False, False)) == s and coarsens(base, ext, s) for s in flores[k])
    assert all(ext.encode(s, True, False) == base.encode(s, True, False) for s in flores['eng_Latn'])


def naive_merges(ranks, words, n):
    """learn_merges the slow way: every pair of every word recounted after each merge."""
    vocab, seqs, new = dict(ranks), {w: M.bpe(ranks, list(w)) for w in words}, []
    for _ in range(n):
        counts = Counter()
        for w, seq in seqs.items():
            for a, b in zip(seq, seq[1:]):
                counts[a + b] += words[w]
        best = min(((-c, p) for p, c in counts.items() if c > 1), default=None)
        if best is None:
            break
        vocab[best[1]] = len(vocab) + 1000
        new.append(best[1])
        seqs = {w: M.bpe(vocab, seq) for w, seq in seqs.items()}
    return new


def test_incremental_merge_counts_equal_recounting(tiktoken_file):
    ranks = M.Tokenizer(tiktoken_file).ranks
    split = regex.compile(M.LLAMA3_PATTERN)
    words = Counter(tuple(bytes([b]) for b in w.encode()) for s in HINDI * 3 + ENGLISH[:9] + ['aaaa aaaaa'] * 2
                    for w in split.findall(s))
    words = {tuple(M.bpe(ranks, w)): c for w, c in words.items()}
    assert T.learn_merges(ranks, words, 150, lambda t: True) == naive_merges(ranks, words, 150)


def test_tiktoken_extension_keeps_english_and_special_ids(tiktoken_file, tmp_path):
    hindi, english = write(tmp_path / 'hi.txt', HINDI * 20), write(tmp_path / 'en.txt', TEXT.splitlines() + ENGLISH)
    base = M.Tokenizer(tiktoken_file)
    ext = T.extend_tokenizer(tiktoken_file, {'hi': hindi}, tmp_path / 'ext/tokenizer.model', 60, english)
    assert ext.n_words == base.n_words + 60 and ext.special == base.special and ext.bos_id == 266
    assert all(ext.ranks[t] == r for t, r in base.ranks.items())
    new = sorted(ext.ranks.items(), key=lambda kv: kv[1])[len(base.ranks):]
    assert [r for _, r in new] == list(range(base.n_words, base.n_words + 60))
    for t, r in new:  # each new token joins two tokens ranked before it
        assert any(ext.ranks.get(t[:k], r) < r and ext.ranks.get(t[k:], r) < r for k in range(1, len(t)))
    for line in TEXT.splitlines() + ENGLISH + ['Café “quoted” – 3½ naïve ü', 'the <|eot_id|>']:
        assert ext.encode(line, True, True) == base.encode(line, True, True)
    assert sum(len(ext.encode(s, 0, 0)) for s in HINDI) < 0.5 * sum(len(base.encode(s, 0, 0)) for s in HINDI)
    for line in HINDI + THAI_TELUGU + ['नदी के किनारे 😀 '] + ENGLISH[:3]:
        assert ext.decode(ext.encode(line, False, False)) == line
    again = T.extend_tokenizer(tiktoken_file, {'hi': hindi}, tmp_path / 'again.model', 60, english)
    assert again.path.read_bytes() == ext.path.read_bytes()  # deterministic
    rows = T.tokenization_report(ext, {'hi': HINDI}, show=False)['hi']
    assert rows['tokens'] == sum(len(ext.encode(s, 0, 0)) for s in HINDI)


def test_tiktoken_extension_on_flores_with_llama3(tmp_path):
    llama3 = asset('tokenizers/llama3/tokenizer.model')
    flores = {k: asset(f'flores200-devtest/{k}.devtest').read_text().splitlines()
              for k in ('eng_Latn', 'hin_Deva', 'zho_Hans')}
    texts = {k: write(tmp_path / f'{k}.txt', flores[k][:800]) for k in ('hin_Deva', 'zho_Hans')}
    base = M.Tokenizer(llama3)
    ext = T.extend_tokenizer(llama3, texts, tmp_path / 'ext.model', 3000, asset('flores200-devtest/eng_Latn.devtest'))
    assert ext.n_words > 128256 + 2500 and ext.special == base.special and ext.bos_id == 128000
    assert ext.special['<|eot_id|>'] == 128009 and max(ext.special.values()) == 128255
    assert all(ext.encode(s, True, False) == base.encode(s, True, False) for s in flores['eng_Latn'])
    for k, most in (('hin_Deva', 0.98), ('zho_Hans', 0.92)):  # held-out lines: 3.0% and 10.5% fewer tokens
        before = sum(len(base.encode(s, False, False)) for s in flores[k][800:])
        after = sum(len(ext.encode(s, False, False)) for s in flores[k][800:])
        assert after < most * before, (k, before, after)
        assert all(ext.decode(ext.encode(s, False, False)) == s for s in flores[k])


def test_tiktoken_extension_bad_input(tiktoken_file, tmp_path, monkeypatch):
    hindi, english = write(tmp_path / 'hi.txt', HINDI * 5), write(tmp_path / 'en.txt', ENGLISH)
    (tmp_path / 'tokenizer.json').write_text('{"model": {"type": "BPE", "vocab": {}}}')
    write(tmp_path / 'few.model', ['YQ== 0', 'Yg== 1'])
    empty = write(tmp_path / 'empty.txt', ['', ' '])
    german = write(tmp_path / 'de.txt', ['Der Fluss fließt durch die alte Stadt.'] * 5)
    out = tmp_path / 'ext.model'
    cases = [((tmp_path / 'tokenizer.json', {'hi': hindi}), 'tokenizer.json: not byte-level BPE'),
             ((tmp_path / 'few.model', {'hi': hindi}), 'without all 256 single bytes'),
             ((tiktoken_file, {'hi': hindi, 'xx': empty}), r"empty.txt: no 'xx' text"),
             ((tiktoken_file, {'de': german}), 'would change English ids')]
    for args, message in cases:
        with pytest.raises(P.InputError, match=message):
            T.extend_tokenizer(*args, out, 50, english)
    monkeypatch.setattr(T, '_english_free', lambda *a: True)  # without the guard, the check catches it
    with pytest.raises(P.InputError, match='en2.txt: document 1 tokenizes differently'):
        T.extend_tokenizer(tiktoken_file, {'de': german}, out, 50, write(tmp_path / 'en2.txt', ['Die alte Stadt']))
    assert not out.exists()


def test_trains_an_english_tokenizer_with_byte_fallback_when_missing(tmp_path, corpus):
    cfg = settings(tokenizer_path=str(tmp_path / 'tok/tokenizer.model'), tokenizer_train=corpus['en'],
                   tokenizer_vocab_size=320, out_dir=str(tmp_path / 'out'), pretrain={'en': corpus['en']})
    T.main(cfg)
    tok = M.Tokenizer(tmp_path / 'tok/tokenizer.model')
    assert tok.n_words == 320 and T.read_meta(tmp_path / 'out')['tokenizer_sha256'] == tok.sha256
    ids = tok.encode(HINDI[0], False, False)
    assert all(tok.sp.is_byte(i) for i in ids if tok.sp.id_to_piece(i) != '▁') and tok.decode(ids) == HINDI[0]


# ---------------------------------------------------------------- shortening and the report


def check_shortening(tok, lines, lead=0xE0):
    before = after = 0
    for line in lines:
        ids = tok.encode(line, bos=True, eos=False)
        short = T.shorten_ids(ids, tok, lead)
        assert T.unshorten_ids(short, tok, lead) == ids
        before, after = before + len(ids), after + len(short)
    return after / before


def test_shortening_round_trips(sp_tokenizer, corpus, tmp_path):
    tok = M.Tokenizer(sp_tokenizer)
    assert check_shortening(tok, HINDI + THAI_TELUGU + ENGLISH[:3]) < 0.75
    assert check_shortening(tok, ['Привет мир', 'ελληνικά'], lead=0xD0) < 1
    with pytest.raises(P.InputError, match='leading UTF-8 byte'):
        T.shorten_ids([1], tok, 0x80)
    T.prepare(settings(out_dir=str(tmp_path / 'out'), pretrain={'hi': corpus['hi']}, shorten={'hi': 0xE0}), sp_tokenizer)
    docs = documents(T.read_shard(tmp_path / 'out/hi.train.bin'), 1)
    assert [T.unshorten_ids(d, tok) for d, _ in docs] == [tok.encode(s, True, False) for s in HINDI * 5]


def test_shortening_round_trips_on_real_hindi():
    tok = M.Tokenizer(asset('tokenizers/llama2/tokenizer.model'))
    lines = asset('flores200-devtest/hin_Deva.devtest').read_text().splitlines()
    assert check_shortening(tok, lines) < 0.97  # LLaMA 2 has pieces for the commonest Devanagari letters


def test_report_on_small_text(sp_tokenizer):
    rows = T.tokenization_report(M.Tokenizer(sp_tokenizer), {'en': TEXT.splitlines(), 'hi': HINDI, 'zh': ['我们去河边。']})
    assert rows['en']['unit'] == 'word' and rows['zh']['unit'] == 'char'
    assert rows['en']['byte_token_share'] == 0 and rows['en']['split_char_share'] == 0
    assert rows['zh']['tokens_per_unit'] == (1 + 6 * 3) / 6 and rows['zh']['split_char_share'] == 1  # '▁', 3 bytes a char
    assert rows['hi']['split_char_share'] > 0.99  # all but the ASCII comma
    assert rows['hi']['tokens_per_unit'] > 2 * rows['en']['tokens_per_unit']  # 41 merges: English is split too


def test_report_counts_both_units_for_a_script_without_spaces(sp_tokenizer, capsys):
    """How Multilingual's ratio is tokens per character for scripts written without spaces (Tables 5 and 13
    captions), yet its th, km and lo figures (39.8 to 86.5) cannot be per character: a Thai character costs at most
    3 byte tokens. So the report gives both units, here on a sentence counted by hand."""
    # 'แม่ไปตลาด พ่อไปวัด' (mother goes to the market, father to the temple), counted by hand in code points:
    # แ ม ่ ไ ป ต ล า ด (9, the tone mark ่ among them) and พ ่ อ ไ ป ว ั ด (8, the vowel mark ั among them):
    # 17 characters in 2 whitespace-separated units. The 300-piece English tokenizer has no Thai piece, so each
    # character is its 3 UTF-8 bytes as byte tokens, and each unit starts with '▁': 17 * 3 + 2 = 53 tokens.
    row = T.tokenization_report(M.Tokenizer(sp_tokenizer), {'th': ['แม่ไปตลาด พ่อไปวัด']})['th']
    assert (row['unit'], row['chars'], row['whitespace_units'], row['tokens']) == ('char', 17, 2, 53)
    assert row['tokens_per_unit'] == 53 / 17 and row['tokens_per_whitespace_unit'] == 53 / 2
    th_line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith('th '))
    assert th_line.split()[:3] == ['th', '3.12/char', '26.50']  # 53 / 17 and 53 / 2
    # a space-separated language: its word is the whitespace-separated unit, one ratio
    en = T.tokenization_report(M.Tokenizer(sp_tokenizer), {'en': ['the river runs']}, show=False)['en']
    assert en['unit'] == 'word' and en['units'] == en['whitespace_units'] == 3
    assert en['tokens_per_unit'] == en['tokens_per_whitespace_unit']


def test_report_on_flores_scripts():
    langs = ('eng_Latn', 'deu_Latn', 'vie_Latn', 'hin_Deva', 'zho_Hans')
    texts = {k: asset(f'flores200-devtest/{k}.devtest') for k in langs}
    llama2 = T.tokenization_report(asset('tokenizers/llama2/tokenizer.model'), texts)
    assert llama2['eng_Latn']['byte_token_share'] == 0 and llama2['hin_Deva']['byte_token_share'] > 0.05
    assert llama2['zho_Hans']['byte_token_share'] > 0.3 and llama2['vie_Latn']['split_char_share'] > 0
    assert llama2['hin_Deva']['tokens_per_unit'] > 3 * llama2['eng_Latn']['tokens_per_unit']
    assert llama2['zho_Hans']['unit'] == 'char' and llama2['zho_Hans']['split_char_share'] > 0.1
    llama3 = T.tokenization_report(asset('tokenizers/llama3/tokenizer.model'), texts)
    assert llama3['hin_Deva']['tokens_per_unit'] < llama2['hin_Deva']['tokens_per_unit']
    assert llama3['eng_Latn']['split_char_share'] < 0.01


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize('workers', [1, 2])
def test_invalid_utf8_is_reported_with_file_and_line(sp_tokenizer, tmp_path, workers):
    bad = tmp_path / 'bad.txt'
    bad.write_bytes('ok\n'.encode() * 4 + b'caf\xe9\nfine\n')
    out = tmp_path / 'out'
    T.prepare(settings(out_dir=str(out), pretrain={'en': write(tmp_path / 'good.txt', ENGLISH)}), sp_tokenizer)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(P.InputError, match=r'bad.txt line 5: not valid UTF-8'):
        T.prepare(settings(out_dir=str(out), workers=workers, pretrain={'en': str(bad)}), sp_tokenizer)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the earlier output is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ['bad.txt', 'good.txt', 'out']  # no temporary left


def test_malformed_json_and_empty_corpus(sp_tokenizer, tmp_path):
    (tmp_path / 'a.json').write_text('[\n {"instruction": "x", "output": "y"},\n {"instruction": "x" "output": 1}\n]')
    (tmp_path / 'b.jsonl').write_text('{"text": "fine"}\n{"text": broken}\n')
    (tmp_path / 'c.json').write_text('[{"instruction": "x"}]')
    write(tmp_path / 'empty.txt', ['', '   '])
    (tmp_path / 'none.json').write_text('[]')
    write(tmp_path / 'bad.tsv', ['dog\tकुत्ता', 'cat\tबिल्ली\textra'])
    write(tmp_path / 'two.en', ['a', 'b', 'c'])
    write(tmp_path / 'two.hi', ['क', 'ख'])
    out = str(tmp_path / 'out')
    cases = [(dict(sft={'m': {'a': {'path': str(tmp_path / 'a.json'), 'lang': 'en'}}}), r'a.json line 3: not valid JSON'),
             (dict(pretrain={'en': str(tmp_path / 'b.jsonl')}), r'b.jsonl line 2: not valid JSON'),
             (dict(sft={'m': {'c': {'path': str(tmp_path / 'c.json'), 'lang': 'en'}}}),
              r"c.json record 1: not an Alpaca record.* 'output'"),
             (dict(pretrain={'en': str(tmp_path / 'empty.txt')}), r'empty.txt: no documents .*empty corpus'),
             (dict(sft={'m': {'n': {'path': str(tmp_path / 'none.json'), 'lang': 'en'}}}), r'none.json: no instruction records'),
             (dict(pretrain={'en': str(tmp_path / 'nope.txt')}), r'nope.txt: no such file'),
             (dict(sft={'m': {'t': {'path': str(tmp_path / 'bad.tsv'), 'lang': 'en-hi'}}}), r'bad.tsv line 2: 3 tab'),
             (dict(sft={'m': {'t': {'path': [str(tmp_path / 'two.en'), str(tmp_path / 'two.hi')], 'lang': 'en-hi'}}}),
              r'two.en has 3 lines but .*two.hi has 2')]
    for kw, message in cases:
        with pytest.raises(P.InputError, match=message):
            T.prepare(settings(out_dir=out, **kw), sp_tokenizer)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a.json', 'b.jsonl', 'bad.tsv', 'c.json', 'empty.txt',
                                                          'none.json', 'two.en', 'two.hi']


# ---------------------------------------------------------------- out_dir: refused, replaced whole, survives kills

KILL_AFTER_SWAP = """
import os, runpy, signal, sys
import plumbing
def die():
    os.kill(os.getpid(), signal.SIGKILL)
if sys.argv[1] == 'exchange':  # killed right after the one-step swap, before the old output is deleted
    swap = plumbing._exchange
    plumbing._exchange = lambda a, b: (swap(a, b), die())
else:  # no exchange: killed between the two renames (old output aside, new not yet in place)
    plumbing._exchange = lambda a, b: False
    rename = os.rename
    def first_rename_then_die(a, b):
        rename(a, b)
        if '.old' in str(b):
            die()
    plumbing.os.rename = first_rename_then_die
sys.argv = sys.argv[2:]
runpy.run_path('tokenize_prep.py', run_name='__main__')
"""


def snapshot(folder):
    """{name: bytes} of everything in a folder; None when it does not exist."""
    folder = Path(folder)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else None


def prep_command(tokenizer, text, out):
    return ['tokenize_prep.py', f'--tokenizer_path={tokenizer}', f"--pretrain={{'en': '{text}'}}",
            '--pretrain_val={}', '--report={}', '--workers=1', '--val_fraction=0.1', f'--out_dir={out}']


def run_prep(args, **kw):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, 'OMP_NUM_THREADS': '1'}, **kw)


@pytest.fixture
def two_outputs(sp_tokenizer, tmp_path):
    """An out_dir written from one text, and the bytes the same run writes from another."""
    old, new = write(tmp_path / 'old.txt', ENGLISH[:30]), write(tmp_path / 'new.txt', ENGLISH * 20)
    out = tmp_path / 'out'
    for text, folder in ((new, tmp_path / 'ref'), (old, out)):
        T.main(P.configure(vars(T), prep_command(sp_tokenizer, text, folder)[1:]))
    return out, snapshot(out), snapshot(tmp_path / 'ref'), new


@pytest.mark.parametrize('swap', ['exchange', 'two renames'])
def test_a_kill_during_the_swap_leaves_the_old_or_the_new_output(sp_tokenizer, two_outputs, swap):
    out, old, new, text = two_outputs
    r = run_prep(['-c', KILL_AFTER_SWAP, swap.split()[0], *prep_command(sp_tokenizer, text, out)])
    assert r.returncode == -signal.SIGKILL, r.stderr[-2000:]  # the kill did happen, mid-swap
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(('.out.tmp', '.out.old'))]
    assert leftovers  # the hidden copy the kill left behind ...
    if swap == 'exchange':
        assert snapshot(out) == new  # the swap is one step: the new output, whole
    else:
        assert snapshot(out) is None  # between two renames; the next writer puts the old one back first
        P.recover(out)
        assert snapshot(out) == old
    P.recover(out)  # ... is cleaned up by the next writer, the process being dead
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(('.out.tmp', '.out.old'))]


def test_kills_at_any_moment_leave_the_old_or_the_new_output(sp_tokenizer, two_outputs):
    out, old, new, text = two_outputs
    for delay in (0.0, 0.2, 1.0):
        p = subprocess.Popen([sys.executable, *prep_command(sp_tokenizer, text, out)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, 'OMP_NUM_THREADS': '1'})
        tmp = out.with_name(f'.out.tmp{p.pid}')
        while p.poll() is None and not tmp.exists():
            time.sleep(0.002)
        time.sleep(delay)
        p.kill()
        p.wait()
        assert snapshot(out) in (old, new), delay
        old = snapshot(out)
    assert run_prep(prep_command(sp_tokenizer, text, out)).returncode == 0
    assert snapshot(out) == new
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(('.out.tmp', '.out.old'))]


def test_an_out_dir_that_is_not_our_own_output_is_refused(sp_tokenizer, tmp_path):
    text = write(tmp_path / 'corpus.txt', ENGLISH)
    mine = tmp_path / 'mine'
    mine.mkdir()
    (mine / 'notes.txt').write_text('my own notes')
    shutil.copy(text, mine / 'corpus.txt')
    before = snapshot(mine)
    for out, message in [(mine, 'holds corpus.txt, notes.txt, which tokenize_prep.py did not write'),
                         (mine / 'notes.txt', 'a file, not a folder')]:
        cfg = settings(tokenizer_path=str(sp_tokenizer), pretrain={'en': str(mine / 'corpus.txt')}, out_dir=str(out))
        with pytest.raises(P.InputError, match=message):
            T.main(cfg)
        assert snapshot(mine) == before
    data = tmp_path / 'data'  # the stage's own output, and a file of the user's put inside it: not the stage's
    T.main(settings(tokenizer_path=str(sp_tokenizer), pretrain={'en': text}, out_dir=str(data)))
    (data / 'notes.txt').write_text('my own notes')
    with pytest.raises(P.InputError, match='holds notes.txt, which tokenize_prep.py did not write'):
        T.main(settings(tokenizer_path=str(sp_tokenizer), pretrain={'en': text}, out_dir=str(data)))
    assert (data / 'notes.txt').read_text() == 'my own notes'
    (data / 'notes.txt').unlink()
    T.main(settings(tokenizer_path=str(sp_tokenizer), pretrain={'en': text}, out_dir=str(data)))  # its own: replaced


def test_demo_defaults_do_not_follow_a_real_tokenizer(sp_tokenizer, tmp_path):
    text = write(tmp_path / 'corpus.txt', ENGLISH)
    cfg = P.configure(vars(T), [f'--tokenizer_path={sp_tokenizer}', f"--pretrain={{'en': '{text}'}}",
                                f'--out_dir={tmp_path / "out"}', '--pretrain_val={}'])
    with pytest.raises(P.InputError, match=r"report: still the demo's"):
        T.main(cfg)
    cfg.report, cfg.extend = {}, {'en': text}
    with pytest.raises(P.InputError, match=r"english_text: still the demo's"):
        T.main(cfg)
    assert not (tmp_path / 'out').exists()
