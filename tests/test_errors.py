"""Bad input and faults across the six scripts: each case runs the script as a user would, in a
process of its own, and must end with exit status 1, exactly one line on stderr that starts with
`error:` and names the file or setting, no traceback, and every file the user had byte-identical.

Starting Python and torch ninety times would take minutes, so a `zygote` process imports the
stage files once (running no torch code) and forks one child per case, which runs the script as
`__main__` and exits as the interpreter would (a SystemExit's message to stderr, status 1; any
other exception: its traceback). test_the_zygote_exits_as_python_does checks that against real
`python X.py` runs."""
import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import plumbing as P
import tokenize_prep as T
from conftest import ROOT, TEXT

TINY = ['--dim=32', '--n_layers=1', '--n_heads=4', '--multiple_of=16', '--block_size=16', '--batch_size=2',
        '--warmup_steps=1', '--log_interval=1', '--eval_batches=1', '--eval_interval=2', '--ckpt_interval=2']
ALPACA = [{'instruction': f'Repeat the word {w}.', 'input': '', 'output': f'{w} {w}'}
          for w in ('river', 'town', 'bakers', 'dawn', 'numbers', 'fox', 'dog', 'shops', 'old', 'lazy')]


def environment():
    return {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONDONTWRITEBYTECODE': '1'}


@pytest.fixture(scope='module')
def world(tmp_path_factory, sp_tokenizer):
    """The user's files: a corpus, Alpaca records, a dictionary, shards, and a 2-step run."""
    w = tmp_path_factory.mktemp('world')
    (w / 'en.txt').write_text(TEXT * 3)
    (w / 'alpaca.json').write_text(json.dumps(ALPACA))
    (w / 'dict.txt').write_text('river\tनदी\ntown\tशहर\n')
    shutil.copy(sp_tokenizer, w / 'tokenizer.model')
    cfg = P.configure(vars(T), [f'--tokenizer_path={w / "tokenizer.model"}', f"--pretrain={{'en': '{w / 'en.txt'}'}}",
                                '--pretrain_val={}', '--report={}', '--workers=1', '--val_fraction=0.2',
                                f"--sft={{'sft': {{'alpaca': {{'path': '{w / 'alpaca.json'}', 'lang': 'en'}}}}}}",
                                f'--out_dir={w / "data"}'])
    T.main(cfg)
    r = subprocess.run([sys.executable, 'pretrain.py', f'--data_dir={w / "data"}', f'--out_dir={w / "run"}', *TINY,
                        '--max_steps=2'], cwd=ROOT, capture_output=True, text=True, env=environment())
    assert r.returncode == 0, r.stderr[-2000:]
    return w


def copy_run(w, d, change):
    """A copy of the 2-step run in the case's folder, with `change(step_dir)` applied."""
    shutil.copytree(w / 'run', d / 'run', symlinks=True)
    change(d / 'run' / 'step_000002')
    return d / 'run'


def ckpt_with(w, d, params=None, drop_weights=False, weights=None):
    """A copy of the run's checkpoint with params.json or consolidated.00.pth replaced."""
    c = d / 'ckpt'
    shutil.copytree(w / 'run' / 'step_000002', c)
    if params is not None:
        (c / 'params.json').write_text(json.dumps(params))
    if drop_weights:
        (c / 'consolidated.00.pth').unlink()
    if weights is not None:
        (c / 'consolidated.00.pth').write_bytes(weights)
    return c


def data_with(w, d, meta=None, truncate=None, oov=False):
    c = d / 'data'
    shutil.copytree(w / 'data', c)
    if oov:  # ids beyond the tokenizer's 300
        tokens = T.read_shard(c / 'en.train.bin').tokens.copy()
        tokens[::7] = 305
        (c / 'en.train.bin').unlink()
        T.write_shard(c / 'en.train.bin', tokens)
    if meta is not None:
        (c / 'meta.json').write_text(json.dumps(meta(json.loads((c / 'meta.json').read_text()))))
    if truncate:
        (c / truncate).write_bytes((c / truncate).read_bytes()[:-5])
    return c


def other_tokenizer(path):
    """A tokenizer of the world's size (300 pieces), trained on other text."""
    import sentencepiece as spm
    path.parent.mkdir(parents=True)
    (path.parent / 'text.txt').write_text(TEXT + 'bakers open river shops at dawn\n' * 60)
    spm.SentencePieceTrainer.train(input=str(path.parent / 'text.txt'), model_prefix=str(path.with_suffix('')),
                                   vocab_size=300, model_type='bpe', byte_fallback=True, character_coverage=1.0,
                                   bos_id=1, eos_id=2, unk_id=0, pad_id=-1, minloglevel=2)


class Evil:  # a pickle that would run code when loaded without weights_only
    def __reduce__(self):
        return (os.system, ('touch PWNED',))


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def user_folder(d):
    write(d / 'mine' / 'notes.txt', 'my notes')
    return d / 'mine'


PRE = 'pretrain.py --data_dir={w}/data --out_dir={d}/out ' + ' '.join(TINY) + ' --max_steps=2'
SFT = 'sft.py --data_dir={w}/data --init_from={w}/run/latest --out_dir={d}/out ' + ' '.join(TINY) + ' --max_steps=2'
PREP = ('tokenize_prep.py --tokenizer_path={w}/tokenizer.model --pretrain={{"en":"{w}/en.txt"}} --pretrain_val={{}} '
        '--report={{}} --workers=1 --out_dir={d}/out')
MIX = 'codemix.py --input_file={w}/alpaca.json --dictionary_file={w}/dict.txt --output_file={d}/out.json'
EVAL = 'evaluate.py --ckpt_dirs=["{w}/run/latest"] --tasks=["ppl"] --ppl_files={{"en":"{w}/en.txt"}} --out_dir={d}/ev'
SOURCE = '{{"m":{{"alpaca":{{"path":"{w}/alpaca.json","lang":"en"{extra}}}}}}}'  # an sft setting
GEN = 'model.py --ckpt_dir={w}/run/latest --max_new_tokens=2'

# (id, command, words the line must hold, setup(world, case folder) run before)
CASES = [
    # codemix.py
    ('mix-mode', MIX + ' --mode=bogus', ['mode']),
    ('mix-alpha', MIX + ' --alpha=1.5', ['alpha']),
    ('mix-alpha-text', MIX + ' --alpha=abc', ['--alpha=abc', 'float']),
    ('mix-unknown-setting', MIX + ' --alhpa=0.5', ['alhpa', '--help']),
    ('mix-no-equals', MIX + ' --alpha', ['--alpha=VALUE']),
    ('mix-columns', MIX + ' --dict_columns=xx', ['dict_columns']),
    ('mix-missing-input', MIX.replace('{w}/alpaca.json', '{d}/nope.json'), ['nope.json']),
    ('mix-missing-dict', MIX.replace('{w}/dict.txt', '{d}/nope.txt'), ['nope.txt']),
    ('mix-no-dict', 'codemix.py --input_file={w}/alpaca.json --output_file={d}/o.json', ['dictionary_file']),
    ('mix-bad-json', MIX.replace('{w}/alpaca.json', '{d}/bad.json'), ['bad.json'],
     lambda w, d: write(d / 'bad.json', '[{"instruction": "x",, }]')),
    ('mix-empty-dict', MIX.replace('{w}/dict.txt', '{d}/empty.txt'), ['empty.txt'],
     lambda w, d: write(d / 'empty.txt', 'no pairs here\n')),
    ('mix-output-is-dir', MIX.replace('{d}/out.json', '{d}/outdir'), ['outdir', 'Is a directory'],
     lambda w, d: (d / 'outdir').mkdir()),
    ('mix-output-under-file', MIX.replace('{d}/out.json', '{d}/f.txt/out.json'), ['f.txt is a file'],
     lambda w, d: write(d / 'f.txt', 'x')),
    ('mix-output-is-input', MIX.replace('{d}/out.json', '{d}/a.json').replace('{w}/alpaca.json', '{d}/a.json'),
     ['output_file=', 'the same path as input_file'], lambda w, d: shutil.copy(w / 'alpaca.json', d / 'a.json')),
    ('mix-config-syntax', 'codemix.py {d}/c.py', ['c.py line 1', 'syntax'], lambda w, d: write(d / 'c.py', 'alpha = = 1')),
    ('mix-config-code', 'codemix.py {d}/c.py', ['c.py line 1', 'literal'],
     lambda w, d: write(d / 'c.py', 'alpha = __import__("os").getpid()')),
    # tokenize_prep.py
    ('prep-foreign-out-dir', PREP.replace('{d}/out', '{d}/mine'), ['out_dir', 'notes.txt', 'did not write'],
     lambda w, d: user_folder(d)),
    ('prep-file-out-dir', PREP.replace('{d}/out', '{d}/mine/notes.txt'), ['out_dir', 'a file'], lambda w, d: user_folder(d)),
    ('prep-out-under-file', PREP.replace('{d}/out', '{d}/mine/notes.txt/x'), ['notes.txt is a file'],
     lambda w, d: user_folder(d)),
    ('prep-user-file-in-own-out-dir', PREP.replace('{d}/out', '{d}/data'), ['notes.txt', 'did not write'],
     lambda w, d: (data_with(w, d), write(d / 'data' / 'notes.txt', 'my notes'))),
    ('prep-corpus-in-own-out-dir', PREP.replace('{d}/out', '{d}/data').replace('{w}/en.txt', '{d}/data/en.txt'),
     ['en.txt', 'did not write'], lambda w, d: (data_with(w, d), shutil.copy(w / 'en.txt', d / 'data' / 'en.txt'))),
    ('prep-no-tokenizer', PREP.replace('{w}/tokenizer.model', '{d}/nope.model') + ' --tokenizer_train=', ['nope.model']),
    ('prep-garbage-tokenizer', PREP.replace('{w}/tokenizer.model', '{d}/t.model'), ['t.model'],
     lambda w, d: write(d / 't.model', b'\x00garbage' * 10)),
    ('prep-missing-corpus', PREP.replace('{w}/en.txt', '{d}/nope.txt'), ['nope.txt']),
    ('prep-bad-utf8', PREP.replace('{w}/en.txt', '{d}/bad.txt'), ['bad.txt line 2', 'UTF-8'],
     lambda w, d: write(d / 'bad.txt', b'fine\ncaf\xe9\n')),
    ('prep-val-fraction', PREP + ' --val_fraction=1.5', ['val_fraction']),
    ('prep-workers', PREP + ' --workers=-1', ['workers']),
    ('prep-budget', PREP + ' --pretrain_budget={{"en":-1}}', ['pretrain_budget']),
    ('prep-budget-list', PREP + ' --pretrain_budget=["en"]', ['--pretrain_budget=', 'must be a dict']),
    ('prep-budget-name', PREP + ' --pretrain_budget={{"eng":100}}', ['pretrain_budget', "'eng'", "'en'"]),
    ('prep-sft-budget-name', PREP + ' --sft=' + SOURCE.replace('{extra}', '') + ' --sft_budget={{"alpacca":2}}',
     ['sft_budget', "'alpacca'", "'alpaca'"]),
    ('prep-sft-mixture-list', PREP + ' --sft={{"m":["{w}/alpaca.json"]}}', ["sft['m']", 'dict']),
    ('prep-sft-source-key', PREP + ' --sft=' + SOURCE.replace('{extra}', ',"optinal":True'), ["'optinal'", 'optional']),
    ('prep-demo-report', PREP.replace(' --report={{}}', ''), ["report: still the demo's", 'en.txt']),
    ('prep-demo-english', PREP + ' --extend={{"en":"{w}/en.txt"}}', ["english_text: still the demo's"]),
    ('prep-shorten', PREP + ' --shorten={{"en":5}}', ['shorten']),
    ('prep-sft-record', PREP + ' --sft={{"m":{{"a":{{"path":"{d}/a.json","lang":"en"}}}}}}', ['a.json', "'output'"],
     lambda w, d: write(d / 'a.json', '[{"instruction": "x"}]')),
    # pretrain.py
    ('pre-huge-block', PRE + ' --block_size=100000000', ['block_size=100000000', 'too few']),
    ('pre-mixture-empty', PRE + ' --mixture={{}}', ['mixture']),
    ('pre-mixture-text', PRE + ' --mixture={{"en":"x"}}', ['mixture']),
    ('pre-mixture-negative', PRE + ' --mixture={{"en":-1}}', ['mixture']),
    ('pre-mixture-zero', PRE + ' --mixture={{"en":0}}', ['mixture']),
    ('pre-mixture-language', PRE + ' --mixture={{"xx":1}}', ['xx.train.bin']),
    ('pre-batch-size', PRE + ' --batch_size=0', ['batch_size=0']),
    ('pre-grad-accum', PRE + ' --grad_accum=0', ['grad_accum=0']),
    ('pre-eval-interval', PRE + ' --eval_interval=0', ['eval_interval=0']),
    ('pre-log-interval', PRE + ' --log_interval=0', ['log_interval=0']),
    ('pre-keep-last', PRE + ' --keep_last=0', ['keep_last=0']),
    ('pre-dtype', PRE + ' --dtype=float17', ['dtype=']),
    ('pre-device', PRE + ' --device=cuda', ['device=', 'CUDA']),
    ('pre-dim-heads', PRE + ' --dim=30', ['dim=30', 'n_heads']),
    ('pre-kv-heads', PRE + ' --n_kv_heads=3', ['n_kv_heads=3']),
    ('pre-lr-huge', PRE + ' --lr=1e39', ['lr=']),
    ('pre-lr-nan', PRE + ' --lr=nan', ['lr=nan']),
    ('pre-mode', PRE + ' --mode=bogus', ['mode=']),
    ('pre-save-format', PRE + ' --save_format=safetensors', ["save_format='safetensors'", 'meta, hf, both']),
    ('pre-lora-targets', PRE + ' --mode=lora --lora_targets=["xx"]', ['lora_targets']),
    ('pre-init-missing', PRE + ' --init_from={d}/nope', ['init_from=', 'Meta checkpoint']),
    ('pre-init-no-weights', PRE + ' --init_from={d}/ckpt', ['init_from=', 'consolidated'],
     lambda w, d: ckpt_with(w, d, drop_weights=True)),
    ('pre-params-list', PRE + ' --init_from={d}/ckpt', ['params.json', 'JSON object'], lambda w, d: ckpt_with(w, d, params=[1])),
    ('pre-params-text-dim', PRE + ' --init_from={d}/ckpt', ['params.json', 'dim must be an integer'],
     lambda w, d: ckpt_with(w, d, params={'dim': '32', 'n_layers': 1, 'n_heads': 4})),
    ('pre-params-text-rope', PRE + ' --init_from={d}/ckpt', ['params.json', 'use_scaled_rope must be true or false'],
     lambda w, d: ckpt_with(w, d, params={'dim': 32, 'n_layers': 1, 'n_heads': 4, 'use_scaled_rope': 'yes'})),
    ('pre-params-zero-heads', PRE + ' --init_from={d}/ckpt', ['params.json', 'n_heads=0'],
     lambda w, d: ckpt_with(w, d, params={'dim': 32, 'n_layers': 1, 'n_heads': 0})),
    ('pre-weights-code', PRE + ' --init_from={d}/ckpt', ['consolidated.00.pth', 'plain tensors'],
     lambda w, d: ckpt_with(w, d, weights=pickle.dumps(Evil()))),
    ('pre-meta-empty', PRE.replace('{w}/data', '{d}/data'), ['meta.json', 'lacks'], lambda w, d: data_with(w, d, lambda m: {})),
    ('pre-meta-list', PRE.replace('{w}/data', '{d}/data'), ['meta.json', 'JSON object'],
     lambda w, d: data_with(w, d, lambda m: [m])),
    ('pre-meta-missing', PRE.replace('{w}/data', '{d}/nodata'), ['meta.json', 'tokenize_prep.py']),
    ('pre-vocab', PRE.replace('{w}/data', '{d}/data'), ['meta.json', 'embeddings'],
     lambda w, d: data_with(w, d, lambda m: {**m, 'vocab_size': 100000})),
    ('pre-truncated-shard', PRE.replace('{w}/data', '{d}/data'), ['en.train.bin', 'truncated'],
     lambda w, d: data_with(w, d, truncate='en.train.bin')),
    ('pre-out-is-file', PRE.replace('{d}/out', '{d}/f.txt'), ['out_dir=', 'a file'], lambda w, d: write(d / 'f.txt', 'x')),
    ('pre-out-under-file', PRE.replace('{d}/out', '{d}/f.txt/out'), ['out_dir=', 'not a folder'],
     lambda w, d: write(d / 'f.txt', 'x')),
    ('pre-out-other-run', PRE.replace('{d}/out', '{d}/run'), ['holds checkpoints', 'overwrite=True'],
     lambda w, d: copy_run(w, d, lambda s: None)),
    ('pre-overwrite-then-bad-data', PRE.replace('{d}/out', '{d}/run') + ' --overwrite=True --mixture={{"xx":1}}',
     ['xx.train.bin'], lambda w, d: copy_run(w, d, lambda s: None)),  # the old run goes only once all is checked
    ('pre-out-is-data-dir', PRE.replace('{w}/data', '{d}/data').replace('{d}/out', '{d}/data'),
     ['out_dir=', 'data_dir'], lambda w, d: data_with(w, d)),
    ('pre-resume-none', PRE + ' --init_from=resume', ['no checkpoint to resume']),
    # a run deletes only what it wrote: a user's folder or file named like a checkpoint is in the way, not replaced
    ('pre-overwrite-user-step-folder', PRE + ' --overwrite=True', ['step_000002', 'not a checkpoint'],
     lambda w, d: write(d / 'out' / 'step_000002' / 'plots.txt', 'my plots')),
    ('pre-overwrite-user-latest-file', PRE + ' --overwrite=True', ['latest', 'not a link'],
     lambda w, d: write(d / 'out' / 'latest', 'my notes')),
    ('pre-resume-changed-lr', PRE.replace('{d}/out', '{d}/run') + ' --init_from=resume --lr=0.5', ['lr=0.5'],
     lambda w, d: copy_run(w, d, lambda s: None)),
    ('pre-resume-no-run-json', PRE.replace('{d}/out', '{d}/run') + ' --init_from=resume', ['run.json'],
     lambda w, d: copy_run(w, d, lambda s: (s / 'run.json').unlink())),
    ('pre-resume-torn-run-json', PRE.replace('{d}/out', '{d}/run') + ' --init_from=resume', ['run.json'],
     lambda w, d: copy_run(w, d, lambda s: write(s / 'run.json', (s / 'run.json').read_text()[:40]))),
    ('pre-resume-no-state', PRE.replace('{d}/out', '{d}/run') + ' --init_from=resume --max_steps=4',
     ['train_state.pth', 'missing'], lambda w, d: copy_run(w, d, lambda s: (s / 'train_state.pth').unlink())),
    ('pre-resume-torn-state', PRE.replace('{d}/out', '{d}/run') + ' --init_from=resume --max_steps=4',
     ['train_state.pth'], lambda w, d: copy_run(w, d, lambda s: write(s / 'train_state.pth', (s / 'train_state.pth').read_bytes()[:999]))),
    ('pre-resume-code-state', PRE.replace('{d}/out', '{d}/run') + ' --init_from=resume --max_steps=4',
     ['train_state.pth', 'plain tensors'], lambda w, d: copy_run(w, d, lambda s: torch.save({'step': Evil()}, s / 'train_state.pth'))),
    # sft.py
    ('sft-epochs', SFT.replace(' --max_steps=2', '') + ' --epochs=0', ['epochs=0']),
    ('sft-warmup-ratio', SFT + ' --warmup_ratio=2', ['warmup_ratio']),
    ('sft-batch-size', SFT + ' --batch_size=0', ['batch_size=0']),
    ('sft-missing-shard', SFT + ' --train_shard=nope.bin', ['nope.bin']),
    ('sft-text-shard', SFT + ' --train_shard=en.train.bin', ['en.train.bin', 'no loss mask']),
    ('sft-template', SFT + ' --template=plain', ['template']),
    ('sft-overwrite-init', SFT.replace('{w}/run/latest', '{d}/run/latest').replace('{d}/out', '{d}/run')
     + ' --overwrite=True', ['out_dir=', 'init_from'], lambda w, d: copy_run(w, d, lambda s: None)),
    ('sft-meta-no-bos', SFT.replace('{w}/data', '{d}/data'), ['meta.json', 'bos_id'],
     lambda w, d: data_with(w, d, lambda m: {k: v for k, v in m.items() if k != 'bos_id'})),
    ('sft-init-missing', SFT.replace('{w}/run/latest', '{d}/nope'), ['init_from=']),
    # evaluate.py
    ('eval-batch-size', EVAL + ' --batch_size=0', ['batch_size=0']),
    ('eval-max-examples', EVAL + ' --max_examples=-1', ['max_examples=-1']),
    ('eval-dtype', EVAL + ' --dtype=float17', ['dtype=']),
    ('eval-task', EVAL.replace('["ppl"]', '["bogus"]'), ['tasks', 'bogus']),
    ('eval-ckpt-dirs-text', EVAL.replace('["{w}/run/latest"]', '"{w}/run/latest"'), ['ckpt_dirs must be a list']),
    ('eval-ckpt-missing', EVAL.replace('{w}/run/latest', '{d}/nope'), ['nope']),
    ('eval-ppl-file-missing', EVAL.replace('{w}/en.txt', '{d}/nope.txt'), ['nope.txt']),
    ('eval-compare-missing', 'evaluate.py --compare=["{d}/nope.json"]', ['nope.json']),
    # every output and setting is checked before the first model is loaded (here: a checkpoint that is missing)
    ('eval-out-is-file-first', EVAL.replace('{d}/ev', '{d}/f.txt').replace('{w}/run/latest', '{d}/nope'),
     ['out_dir=', 'a file'], lambda w, d: write(d / 'f.txt', 'x')),
    ('eval-judge-url-first', EVAL.replace('["ppl"]', '["ppl","judge"]').replace('{w}/run/latest', '{d}/nope'),
     ['judge_url']),
    ('eval-judge-mode-first', EVAL.replace('["ppl"]', '["chat","judge"]').replace('{w}/run/latest', '{d}/nope')
     + ' --judge_url=http://127.0.0.1:9 --judge_mode=bogus --chat_files={{"en":"{w}/alpaca.json"}}', ['judge_mode']),
    ('eval-judge-against-first', EVAL.replace('["ppl"]', '["chat","judge"]').replace('{w}/run/latest', '{d}/nope')
     + ' --judge_url=http://127.0.0.1:9 --judge_mode=pairwise --judge_against={d}/nope.json'
       ' --chat_files={{"en":"{w}/alpaca.json"}}', ['judge_against', 'nope.json']),
    ('eval-tokenizer-swapped', EVAL + ' --tokenizer_path={d}/t/tokenizer.model', ['t/tokenizer.model', 'run.json'],
     lambda w, d: other_tokenizer(d / 't' / 'tokenizer.model')),
    ('eval-ppl-oov-shard', EVAL.replace('{w}/en.txt', '{d}/data/en.train.bin'), ['en.train.bin', 'token ids up to 305'],
     lambda w, d: data_with(w, d, oov=True)),
    ('eval-output-under-file', EVAL.replace('{d}/ev', '{d}/f.txt/ev'), ['out_dir=', 'f.txt is not a folder'],
     lambda w, d: write(d / 'f.txt', 'x')),
    # model.py
    ('gen-max-new-tokens', GEN + ' --max_new_tokens=-1', ['max_new_tokens=-1']),
    ('gen-temperature-nan', GEN + ' --temperature=nan', ['temperature=nan']),
    ('gen-temperature-negative', GEN + ' --temperature=-1', ['temperature=-1']),
    ('gen-top-p', GEN + ' --top_p=0', ['top_p=0']),
    ('gen-prompt-too-long', GEN + ' --max_seq_len=2', ['max_seq_len=2', 'prompt']),
    ('gen-dtype', GEN + ' --dtype=float17', ['dtype=']),
    ('gen-ckpt-missing', GEN.replace('{w}/run/latest', '{d}/nope'), ['nope', 'params.json']),
    ('gen-export-format', GEN + ' --export_dir={d}/hf --export_format=gguf', ['export_format=gguf']),
    ('gen-export-onto-itself', GEN + ' --export_dir={w}/run/latest', ['export_dir=', 'the checkpoint being read']),
    ('gen-no-weights', GEN.replace('{w}/run/latest', '{d}/ckpt'), ['consolidated'],
     lambda w, d: ckpt_with(w, d, drop_weights=True)),
    ('gen-weights-code', GEN.replace('{w}/run/latest', '{d}/ckpt'), ['consolidated.00.pth', 'plain tensors'],
     lambda w, d: ckpt_with(w, d, weights=pickle.dumps(Evil()))),
]
CASES = [c if len(c) == 4 else (*c, None) for c in CASES]
if torch.cuda.is_available():
    CASES = [c for c in CASES if c[0] != 'pre-device']
IDS = [c[0] for c in CASES]
assert len(set(IDS)) == len(IDS) >= 60


def digest(folder):
    """{relative path: sha256} of every file under folder (links by their target), but the `.NAME.lock` files
    that a run takes beside its output and leaves there (plumbing.lock)."""
    out = {}
    for p in sorted(Path(folder).rglob('*')):
        if p.name.startswith('.') and p.name.endswith('.lock'):
            continue
        key = str(p.relative_to(folder))
        out[key] = os.readlink(p) if p.is_symlink() else hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else 'dir'
    return out


ZYGOTE = """
import json, os, runpy, sys, traceback
import codemix, evaluate, model, pretrain, sft, tokenize_prep  # imported once; no torch code runs here
def child(argv, out):
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.argv = argv
    try:
        runpy.run_path(argv[0], run_name='__main__')
        code = 0
    except SystemExit as e:  # what the interpreter does with it
        code = 0 if e.code is None else e.code if isinstance(e.code, int) else (print(e.code, file=sys.stderr), 1)[1]
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush(), sys.stderr.flush()
    os._exit(code)
running, codes = {}, {}
for argv, out in json.load(sys.stdin):
    if len(running) == 4:
        pid, status = os.wait()
        codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)
    sys.stdout.flush(), sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        child(argv, out)
    running[pid] = out
while running:
    pid, status = os.wait()
    codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)
print(json.dumps(codes))
"""


def zygote(jobs):
    """{stderr file: exit status} for jobs [(argv, stderr file)], four processes at a time."""
    r = subprocess.run([sys.executable, '-c', ZYGOTE], input=json.dumps(jobs), cwd=ROOT, capture_output=True,
                       text=True, env=environment(), timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope='module')
def results(world, tmp_path_factory):
    """Every case's (exit status, stderr, its folder's files before, after), and the world's
    files before and after all of them."""
    root = tmp_path_factory.mktemp('cases')
    world_before, jobs, before = digest(world), [], {}
    for name, command, words, setup in CASES:
        d = root / name
        d.mkdir()
        if setup:
            setup(world, d)
        before[name] = digest(d)
        jobs.append((command.format(w=world, d=d).split(), str(root / f'{name}.stderr')))
    codes = zygote(jobs)
    out = {name: (codes[str(root / f'{name}.stderr')], (root / f'{name}.stderr').read_text(), before[name],
                  digest(root / name)) for name in IDS}
    return out, world_before, digest(world)


def test_the_zygote_exits_as_python_does(world, tmp_path):
    """Two cases and a crash, run by `python X.py` and by the zygote: the same status and stderr."""
    (tmp_path / 'crash.py').write_text("raise ValueError('boom')\n")
    commands = [MIX.format(w=world, d=tmp_path) + ' --alpha=2', GEN.format(w=world, d=tmp_path) + ' --top_p=0',
                f'{tmp_path}/crash.py']
    jobs = [(c.split(), str(tmp_path / f'{i}.stderr')) for i, c in enumerate(commands)]
    codes = zygote(jobs)
    for argv, out in jobs:
        r = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, env=environment())
        forked = Path(out).read_text()
        assert codes[out] == r.returncode == 1
        if 'crash' in argv[0]:
            assert 'Traceback' in forked and forked.strip().splitlines()[-1] == r.stderr.strip().splitlines()[-1]
        else:
            assert forked == r.stderr


@pytest.mark.parametrize('case', CASES, ids=IDS)
def test_one_line_and_nothing_lost(case, results):
    runs, world_before, world_after = results
    code, stderr, before, after = runs[case[0]]
    lines = stderr.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith('error: '), stderr[-3000:]
    assert 'Traceback' not in stderr
    for word in case[2]:
        assert word in lines[0], (word, lines[0])
    assert after == before, "the case's files changed"
    assert world_after == world_before, "the user's shared files changed"
    assert not (ROOT / 'PWNED').exists()


# -----------------------------------------------------------------------------------------------
# A run owns what it wrote and holds its output alone


def test_pruning_and_overwrite_delete_only_the_runs_own_checkpoints(world, tmp_path):
    """A user's backup of a checkpoint, a folder of plots and a file, all named like checkpoints, outlive
    keep_last pruning and overwrite=True; latest always names a checkpoint that exists."""
    run = copy_run(world, tmp_path, lambda s: None)
    shutil.copytree(run / 'step_000002', run / 'step_000001_backup')  # even with a run.json inside
    write(run / 'step_000009', 'a file of mine')
    write(run / 'step_000007' / 'plots.txt', 'my plots')  # after every real checkpoint, by name
    mine = {k: v for k, v in digest(run).items() if k.startswith(('step_000001_backup', 'step_000009', 'step_000007'))}
    for settings in (['--init_from=resume', '--max_steps=6', '--keep_last=1'], ['--overwrite=True', '--keep_last=2']):
        r = subprocess.run([sys.executable, *PRE.format(w=world, d=tmp_path).replace(f'{tmp_path}/out', str(run)).split(),
                            *settings], cwd=ROOT, capture_output=True, text=True, env=environment())
        assert r.returncode == 0, r.stderr[-2000:]
        assert {k: v for k, v in digest(run).items() if k in mine} == mine
        assert (run / 'latest' / 'run.json').is_file()
    assert os.readlink(run / 'latest') == 'step_000002' and not (run / 'step_000006').exists()  # the old run's: gone


LOCKED = {'codemix': (MIX, 'out.json'), 'tokenize_prep': (PREP, 'out'), 'pretrain': (PRE, 'out'),
          'sft': (SFT + ' --block_size=512', 'out'), 'evaluate': (EVAL, 'ev')}
HOLD = "import sys, time, plumbing; held = plumbing.lock(sys.argv[1]); print(flush=True); time.sleep(300)"


def holder(output):
    """A process that holds the lock of `output`, as a running stage does."""
    p = subprocess.Popen([sys.executable, '-c', HOLD, str(output)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    p.stdout.readline()
    return p


@pytest.mark.parametrize('stage', LOCKED)
def test_a_second_run_on_an_output_in_use_is_refused(stage, world, tmp_path):
    command, output = LOCKED[stage]
    first = holder(tmp_path / output)
    try:
        r = subprocess.run([sys.executable, *command.format(w=world, d=tmp_path).split()], cwd=ROOT, capture_output=True,
                           text=True, env=environment())
    finally:
        first.kill()
        first.wait()
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(lines) == 1 and f'another run (process {first.pid})' in lines[0], r.stderr[-2000:]
    assert not (tmp_path / output).exists()


def test_a_run_proceeds_once_the_holder_is_killed(world, tmp_path):
    first = holder(tmp_path / 'out')
    os.kill(first.pid, signal.SIGKILL)  # no chance to clean up: the kernel releases the lock
    first.wait()
    r = subprocess.run([sys.executable, *PRE.format(w=world, d=tmp_path).split()], cwd=ROOT, capture_output=True,
                       text=True, env=environment())
    assert r.returncode == 0 and (tmp_path / 'out' / 'latest' / 'run.json').is_file(), r.stderr[-2000:]


def test_a_full_disk_is_named_and_the_earlier_checkpoint_survives(tmp_path, sp_tokenizer):
    """A 1 MB file system (tmpfs; needs root): the second, larger checkpoint does not fit."""
    import model as M
    from conftest import random_model, tiny_args
    disk = tmp_path / 'disk'
    disk.mkdir()
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(disk)], capture_output=True).returncode:
        pytest.skip('mounting a small tmpfs needs root')
    try:
        small, large = tiny_args(dim=32, n_heads=4, multiple_of=16), tiny_args(dim=256)
        M.save(disk / 'step_000001', small, random_model(small).state_dict(), sp_tokenizer)
        before = digest(disk)
        with pytest.raises(P.InputError) as e:
            M.save(disk / 'step_000002', large, random_model(large).state_dict(), sp_tokenizer)
        assert e.value.code == (f"error: {disk}/step_000002: no space left on {disk}; nothing of it was written; "
                                "free some space and run again")
        assert digest(disk) == before and M.load(disk / 'step_000001')
    finally:
        subprocess.run(['umount', '--lazy', str(disk)])  # lazy: a failed writer may still hold a file open
