"""sft.py: masked positions contribute nothing, a padded micro-batch equals its examples alone, a step
counts examples and an epoch sees each once, a few examples are learned exactly, one process equals
FSDP over two, a killed run resumes bitwise, and bad input is refused."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

import model as M
import plumbing as P
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


def test_a_padded_micro_batch_trains_each_example_as_it_would_alone(sp_tokenizer):
    tok = M.Tokenizer(sp_tokenizer)
    samples = []
    for r in RECORDS:
        prompt, response = encode_example(tok, r)
        tokens = np.array(prompt + response)
        samples.append((torch.from_numpy(tokens[:-1]), sft.labels(tokens, np.array([0] * len(prompt) + [1] * len(response)))))
    assert len({len(x) for x, _ in samples}) > 1  # the examples differ in length: the batch is padded
    model = random_model(tiny_args(max_seq_len=512))
    x, y = pretrain.collate(samples, 'cpu')
    loss, count = pretrain.loss_sum(model, x, y)
    loss.backward()
    together = [p.grad.clone() for p in model.parameters()]
    alone_loss, alone_count = 0.0, 0
    model.zero_grad()
    for xi, yi in samples:
        l, c = pretrain.loss_sum(model, xi[None], yi[None])
        l.backward()
        alone_loss, alone_count = alone_loss + l.item(), alone_count + c
    assert count == alone_count == sum((yi != pretrain.IGNORE).sum() for _, yi in samples)
    assert abs(loss.item() - alone_loss) < 1e-4
    assert all((a - p.grad).abs().max() < 1e-5 for a, p in zip(together, model.parameters()))


def test_a_step_counts_examples_and_an_epoch_sees_each_once(tmp_path, sp_tokenizer):
    data = write_instructions(tmp_path, sp_tokenizer, [dict(r, output=f"{r['output']} {i}") for i in range(5)
                                                       for r in RECORDS])  # 20 distinct examples
    meta = json.loads((data / 'meta.json').read_text())
    cfg = P.ReadOnly(data_dir=str(data), train_shard='sft.train.bin', val_shard='', template='alpaca',
                     block_size=512, batch_size=3, grad_accum=2, epochs=3, max_steps=0, warmup_steps=-1,
                     warmup_ratio=0.1, seed=7, eval_batches=1)  # read-only: the derived values come back
    get_sample, _, derived = sft.instruction_data(cfg, meta, rank=0, world=1)
    assert derived.max_steps == 3 * 4 and derived.warmup_steps == 1  # ceil(20 / 6) = 4 steps an epoch
    assert derived.block_size == max(len(get_sample(0, i)[0]) for i in range(20)) < 512  # the longest, not 512
    for epoch in range(3):
        seen = [tuple(get_sample(step, i)[0].tolist()) for step in range(4 * epoch, 4 * epoch + 4) for i in range(6)]
        assert len(set(seen[:20])) == 20 and set(seen[20:]) <= set(seen[:20])  # each once, then topped up
    # the same global batch whatever the number of processes: process r's micro-batch m starts at (m * world + r) * 3
    cfg2 = P.ReadOnly(**{**vars(cfg), 'grad_accum': 1})
    get_two, _, derived2 = sft.instruction_data(cfg2, meta, rank=1, world=2)
    assert derived2.max_steps == derived.max_steps
    assert all(torch.equal(get_sample(s, i)[0], get_two(s, i)[0]) for s in (0, 5) for i in range(6))
    # an example longer than block_size is cut to block_size + 1 tokens; one left without a trained token is dropped
    shard = T.read_shard(data / 'sft.train.bin')
    spans, truncated, dropped = sft.examples(shard, 1, 20)
    assert truncated == 20 and all(e - s <= 21 for s, e in spans) and len(spans) + dropped == 20


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
    w1, w2 = (torch.load(tmp_path / d / 'latest' / 'consolidated.00.pth', weights_only=True) for d in ('one', 'two'))
    assert max((w1[k] - w2[k]).abs().max().item() for k in w1) < 1e-5  # the weights too, not only the losses
    assert any(not torch.equal(w1[k], v) for k, v in M.read_weights(setup[1], M.load(setup[1])[0].args).items())
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


def test_run_json_keeps_settings_and_derived_values_apart_and_an_old_one_still_resumes(setup, tmp_path):
    """run.json: the settings as given, the values derived from them and the data apart. A run saved before
    (sft's derived values written among its settings, under 'config') resumes bitwise, with read-only settings."""
    settings = ['--epochs=1', '--eval_interval=4', '--ckpt_interval=4', '--keep_last=3', '--lr=3e-3']
    run(setup, tmp_path / 'ref', *settings)
    saved = json.loads((tmp_path / 'ref' / 'step_000004' / 'run.json').read_text())
    given = saved['settings']
    assert (given['max_steps'], given['warmup_steps'], given['block_size']) == (0, -1, 320)
    assert saved['derived']['max_steps'] == 8 and saved['derived']['block_size'] < 320
    old = tmp_path / 'old'
    shutil.copytree(tmp_path / 'ref', old, symlinks=True)
    shutil.rmtree(old / 'step_000008')
    (old / 'latest').unlink()
    (old / 'latest').symlink_to('step_000004')
    config = {**saved.pop('settings'), **saved.pop('derived'), 'init_from': saved.pop('init_from')}
    (old / 'step_000004' / 'run.json').write_text(json.dumps({**saved, 'config': config}))
    cfg = P.ReadOnly(**vars(P.configure(vars(sft), command(setup, old, *settings, '--init_from=resume')[2:],
                                        base=pretrain)))
    sft.check_settings(cfg)
    with pytest.raises(AttributeError):
        cfg.max_steps = 8
    pretrain.run_stage(cfg, sft.instruction_data)
    a, b = (torch.load(d / 'latest' / 'train_state.pth', weights_only=True) for d in (tmp_path / 'ref', old))
    assert b['step'] == 8 and all(torch.equal(a['trainable'][k], b['trainable'][k]) for k in a['trainable'])
    resumed = json.loads((old / 'latest' / 'run.json').read_text())
    assert resumed['init_from'] == str(setup[1]) and resumed['settings']['init_from'] == 'resume'


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
    assert r.returncode == 0 and '--epochs=1' in r.stdout and '--mode=' in r.stdout and '# Alpaca' in r.stdout


def test_ctrl_c_is_one_line_and_the_run_resumes_bitwise(setup, tmp_path):
    settings = ['--epochs=4', '--eval_interval=4', '--ckpt_interval=2', '--lr=3e-3', '--grad_accum=2']
    run(setup, tmp_path / 'ref', *settings)
    out = tmp_path / 'stopped'
    p = subprocess.Popen(command(setup, out, *settings), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    deadline = time.time() + 120
    while not (out / 'latest').exists() and time.time() < deadline and p.poll() is None:
        time.sleep(0.01)
    p.send_signal(signal.SIGINT)  # what Ctrl-C sends
    stderr = p.communicate()[1]
    latest, end = (os.readlink(d / 'latest') for d in (out, tmp_path / 'ref'))
    assert latest < end, "the run finished before it could be interrupted"
    lines = stderr.strip().splitlines()
    assert p.returncode == 130 and len(lines) == 1 and 'Traceback' not in stderr, stderr[-3000:]
    assert lines[0].startswith('interrupted by SIGINT at step ') and f'latest is {latest}' in lines[0]
    assert '--init_from=resume' in lines[0]
    run(setup, out, *settings, '--init_from=resume')
    a, b = (torch.load(d / 'latest' / 'train_state.pth', weights_only=True) for d in (tmp_path / 'ref', out))
    assert all(torch.equal(a['trainable'][k], b['trainable'][k]) for k in a['trainable'])
    for x, y in zip(a['optimizer']['state'].values(), b['optimizer']['state'].values()):
        assert all(torch.equal(x[k], y[k]) for k in x)


def test_held_out_examples_that_do_not_fit_block_size_are_said_once_not_nan(setup, tmp_path, sp_tokenizer):
    """A held-out example whose prompt fills block_size has no trained token left: when none is left, the run
    says so once at the start and logs no held-out loss, instead of NaN at every evaluation."""
    data = write_instructions(tmp_path / 'data', sp_tokenizer, RECORDS)
    long = [{**r, 'input': r['input'] + ' the old town' * 200} for r in RECORDS]  # prompts past block_size
    long_data = write_instructions(tmp_path / 'long', sp_tokenizer, long)
    (data / 'sft.val.bin').write_bytes((long_data / 'sft.val.bin').read_bytes())
    r = run((data, setup[1]), tmp_path / 'out', '--max_steps=4', '--eval_interval=1')
    said = [line for line in r.stdout.splitlines() if 'sft.val.bin' in line]
    assert len(said) == 1 and 'no held-out loss' in said[0], r.stdout
    logged = (tmp_path / 'out' / 'log.jsonl').read_text()
    assert 'NaN' not in logged and 'val_loss' not in logged


def test_warmup_longer_than_the_run_is_refused(setup, tmp_path):
    r = run(setup, tmp_path / 'out', '--max_steps=2', '--warmup_steps=5', ok=False)
    assert r.returncode == 1 and 'warmup_steps=5' in r.stderr and r.stderr.count('\n') == 1, r.stderr
    assert not (tmp_path / 'out').exists()
