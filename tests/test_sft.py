"""sft.py: masked positions contribute nothing, packing with isolation equals examples alone, a few
examples are learned exactly, one process equals FSDP over two, a killed run resumes bitwise, and
bad input is refused."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

import model as M
import pretrain
import sft
import tokenize_prep as T
from conftest import ROOT, random_model, tiny_args, write_checkpoint
from test_pretrain import execute, launcher

RECORDS = [
    {'instruction': 'Where does the baker live?', 'input': 'The baker lives in the old town.', 'output': 'the old town'},
    {'instruction': 'Name a colour.', 'input': '', 'output': 'brown'},
    {'instruction': 'What runs through the town?', 'input': '', 'output': 'A river runs through it.'},
    {'instruction': 'Repeat the sentence.', 'input': 'The quick fox jumps.', 'output': 'The quick fox jumps.'},
]


def encode_example(tok, r):
    """As tokenize_prep.py does: the prompt (BOS, template, instruction, input) masked; the
    response and EOS trained."""
    prompt = tok.encode(M.format_prompt(r['instruction'], r['input']), bos=True, eos=False)
    response = tok.encode(r['output'], bos=False, eos=True)
    return prompt, response


def write_instructions(path, tokenizer, records, template='alpaca', name='sft'):
    tok = M.Tokenizer(tokenizer)
    path.mkdir(parents=True, exist_ok=True)
    tokens, mask = [], []
    for r in records:
        prompt, response = encode_example(tok, r)
        tokens += prompt + response
        mask += [0] * len(prompt) + [1] * len(response)
    for split in ('train', 'val'):
        T.write_shard(path / f'{name}.{split}.bin', np.array(tokens, dtype=np.uint16), np.array(mask, dtype=np.uint8))
    (path / 'meta.json').write_text(json.dumps({
        'tokenizer': str(tokenizer), 'tokenizer_sha256': tok.sha256, 'vocab_size': tok.n_words,
        'bos_id': tok.bos_id, 'eos_id': tok.eos_id, 'template': template}))
    return path


@pytest.fixture(scope='module')
def setup(tmp_path_factory, sp_tokenizer):
    d = tmp_path_factory.mktemp('sft')
    data = write_instructions(d / 'data', sp_tokenizer, RECORDS * 4)
    args = tiny_args(dim=32, n_heads=4, multiple_of=16)
    base = write_checkpoint(d / 'base', args, random_model(args).state_dict(), sp_tokenizer)
    return data, base


TINY = ['--block_size=320', '--batch_size=2', '--grad_accum=1', '--log_interval=1', '--eval_batches=1']


def command(setup, out, *settings, nproc=1):
    data, base = setup
    return launcher(nproc) + ['sft.py', f'--data_dir={data}', f'--init_from={base}', f'--out_dir={out}', *TINY, *settings]


def run(setup, out, *settings, nproc=1, ok=True):
    return execute(command(setup, out, *settings, nproc=nproc), ok)


def test_masked_targets_contribute_nothing(sp_tokenizer):
    tok = M.Tokenizer(sp_tokenizer)
    prompt, response = encode_example(tok, RECORDS[0])
    tokens = np.array(prompt + response)
    mask = np.array([0] * len(prompt) + [1] * len(response), dtype=np.uint8)
    changed = tokens.copy()
    changed[3] = (changed[3] + 7) % tok.n_words  # a prompt token, as a target (the input stays the same)
    model = random_model(tiny_args(max_seq_len=512))
    x = torch.from_numpy(tokens[:-1])[None]
    grads = []
    for t in (tokens, changed):
        model.zero_grad()
        loss, count = pretrain.loss_sum(model, x, sft.labels(t, mask)[None])
        loss.backward()
        grads.append([p.grad.clone() for p in model.parameters()])
    assert count == len(response)
    assert all(torch.equal(a, b) for a, b in zip(*grads))
    changed[-2] = (changed[-2] + 7) % tok.n_words  # a response token does count
    model.zero_grad()
    pretrain.loss_sum(model, x, sft.labels(changed, mask)[None])[0].backward()
    assert not all(torch.equal(a, p.grad) for a, p in zip(grads[0], model.parameters()))


def test_packed_examples_see_exactly_what_they_would_alone(sp_tokenizer):
    tok = M.Tokenizer(sp_tokenizer)
    examples = [sum(encode_example(tok, r), []) for r in RECORDS[:3]]
    model = random_model(tiny_args(max_seq_len=1024)).eval()
    packed = torch.tensor(sum(examples, []))[None]
    mask = sft.example_mask(tok.bos_id)(packed)
    with torch.no_grad():
        together = model(packed, mask=mask)[0]
        at = 0
        for ex in examples:
            alone = model(torch.tensor(ex)[None])[0]
            assert (together[at:at + len(ex)] - alone).abs().max() < 1e-5
            at += len(ex)
        assert (model(packed)[0, at - len(examples[-1]):] - together[at - len(examples[-1]):]).abs().max() > 1e-4


def test_packing_keeps_whole_examples_and_cuts_long_ones(tmp_path, sp_tokenizer):
    data = write_instructions(tmp_path, sp_tokenizer, RECORDS * 5)
    shard = T.read_shard(data / 'sft.train.bin')
    lengths = np.diff(np.append(np.flatnonzero(np.asarray(shard.tokens) == 1), len(shard.tokens)))
    blocks, truncated, dropped = sft.pack(shard, 600, 1, seed=0)
    spans = sorted(s for b in blocks for s in b)
    assert len(spans) == 20 and truncated == 0 and dropped == 0 and len(blocks) < 20
    assert all(sum(e - s for s, e in b) <= 601 for b in blocks)
    assert sorted(e - s for s, e in spans) == sorted(lengths)  # whole examples
    cut = int(lengths.min()) - 2  # a block of cut + 1 tokens is shorter than every example: all cut; those whose response falls off dropped
    blocks, truncated, dropped = sft.pack(shard, cut, 1, seed=0)
    assert truncated == 20 and dropped > 0 and all(sum(e - s for s, e in b) <= cut + 1 for b in blocks)


def test_a_few_examples_are_learned_exactly(setup, tmp_path, sp_tokenizer):
    run(setup, tmp_path / 'out', '--epochs=60', '--lr=3e-3', '--eval_interval=1000', '--ckpt_interval=1000',
        '--warmup_ratio=0.05')
    model, tok = M.load(tmp_path / 'out' / 'latest')
    meta = json.loads((tmp_path / 'out' / 'latest' / 'run.json').read_text())
    assert meta['template'] == 'alpaca'  # recorded for evaluate.py
    for r in RECORDS:
        prompt, response = encode_example(tok, r)
        assert M.generate(model, [prompt], len(response) + 2, stop_tokens=tok.stop_tokens)[0] == response[:-1]


def test_two_process_fsdp_matches_one_process_and_resume_is_exact(setup, tmp_path):
    settings = ['--epochs=4', '--eval_interval=4', '--ckpt_interval=2', '--lr=3e-3']
    run(setup, tmp_path / 'one', *settings, '--grad_accum=2')
    run(setup, tmp_path / 'two', *settings, '--grad_accum=1', nproc=2)
    one = [json.loads(l) for l in (tmp_path / 'one' / 'log.jsonl').read_text().splitlines()]
    two = [json.loads(l) for l in (tmp_path / 'two' / 'log.jsonl').read_text().splitlines()]
    assert len(one) == len(two) > 10
    for a, b in zip(one, two):
        assert all(abs(a[k] - b[k]) < 1e-5 for k in a if 'loss' in k), (a, b)
    # killed with SIGKILL after a checkpoint, resumed: bitwise the uninterrupted run
    p = subprocess.Popen(command(setup, tmp_path / 'killed', *settings, '--grad_accum=2'), cwd=ROOT,
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env={**os.environ, 'OMP_NUM_THREADS': '1'})
    latest, deadline = tmp_path / 'killed' / 'latest', time.time() + 120
    while not latest.exists() and time.time() < deadline and p.poll() is None:
        time.sleep(0.01)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    killed_at, end = (int(os.readlink(d / 'latest').split('_')[1]) for d in (tmp_path / 'killed', tmp_path / 'one'))
    assert killed_at < end, "the run finished before it could be killed"
    run(setup, tmp_path / 'killed', *settings, '--grad_accum=2', '--init_from=resume')
    a = torch.load(tmp_path / 'one' / 'latest' / 'train_state.pth', weights_only=True)['trainable']
    b = torch.load(tmp_path / 'killed' / 'latest' / 'train_state.pth', weights_only=True)['trainable']
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_shards_without_masks_are_refused(setup, tmp_path, sp_tokenizer):
    data = write_instructions(tmp_path / 'data', sp_tokenizer, RECORDS)
    T.write_shard(data / 'sft.train.bin', np.arange(100, dtype=np.uint16))
    r = run((data, setup[1]), tmp_path / 'out', ok=False)
    assert r.returncode == 1 and 'sft.train.bin: no loss mask' in r.stderr and r.stderr.count('\n') == 1
    assert not (tmp_path / 'out').exists()


def test_template_that_does_not_match_the_data_is_refused(setup, tmp_path, sp_tokenizer):
    data = write_instructions(tmp_path / 'data', sp_tokenizer, RECORDS, template='none')
    r = run((data, setup[1]), tmp_path / 'out', ok=False)
    assert r.returncode == 1 and "template 'none', not 'alpaca'" in r.stderr and r.stderr.count('\n') == 1


def test_help_lists_pretrain_settings_too():
    r = subprocess.run([sys.executable, 'sft.py', '--help'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and '--epochs=3' in r.stdout and '--mode=' in r.stdout and '# Alpaca' in r.stdout
