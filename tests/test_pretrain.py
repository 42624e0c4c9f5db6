"""pretrain.py: one process equals FSDP over two, a killed run resumes bitwise, each mode trains
exactly its parameters, the loss falls, and bad input is refused with nothing lost."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import model as M
import plumbing as P
import tokenize_prep as T
from conftest import ROOT, TEXT, random_model, tiny_args, write_checkpoint

HINDI = "नदी के किनारे एक पुराना गाँव है और लोग सुबह बाज़ार जाते हैं। " * 30


def write_data(path, tokenizer, texts, val_fraction=0.2):
    """Shards and meta.json as tokenize_prep.py writes them: one document per line, BOS first."""
    tok = M.Tokenizer(tokenizer)
    path.mkdir(parents=True, exist_ok=True)
    for lang, text in texts.items():
        ids = [i for line in text.splitlines() if line for i in tok.encode(line, bos=True, eos=False)]
        ids = np.array(ids, dtype=T.token_dtype(tok.n_words))
        n_val = int(len(ids) * val_fraction)
        T.write_shard(path / f'{lang}.train.bin', ids[n_val:])
        T.write_shard(path / f'{lang}.val.bin', ids[:n_val])
    (path / 'meta.json').write_text(json.dumps({'tokenizer': str(tokenizer), 'tokenizer_sha256': tok.sha256,
                                                'tokenizer_digest': tok.digest, 'vocab_size': tok.n_words}))
    return path


@pytest.fixture(scope='module')
def data(tmp_path_factory, sp_tokenizer):
    return write_data(tmp_path_factory.mktemp('data'), sp_tokenizer,
                      {'en': TEXT * 3, 'hi': '\n'.join([HINDI] * 20)})


TINY = ['--dim=32', '--n_layers=2', '--n_heads=4', '--multiple_of=16', '--block_size=32', '--batch_size=4',
        '--warmup_steps=2', '--log_interval=1', '--eval_batches=1', '--lr=3e-3']


def launcher(nproc):
    """One process, or torchrun on this machine's CPUs (gloo)."""
    return [sys.executable] if nproc == 1 else [sys.executable, '-m', 'torch.distributed.run', '--standalone',
                                                f'--nproc_per_node={nproc}']


def command(data, out, *settings, nproc=1):
    return launcher(nproc) + ['pretrain.py', f'--data_dir={data}', f'--out_dir={out}', *TINY, *settings]


def execute(cmd, ok=True):
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    if ok:
        assert r.returncode == 0, r.stderr[-3000:]
    return r


def run(data, out, *settings, nproc=1, ok=True):
    return execute(command(data, out, *settings, nproc=nproc), ok)


def log(out):
    return [json.loads(l) for l in (Path(out) / 'log.jsonl').read_text().splitlines()]


def weights(out):
    return torch.load(Path(out) / 'latest' / 'consolidated.00.pth', weights_only=True)


def train_state(out):
    return torch.load(Path(out) / 'latest' / 'train_state.pth', weights_only=True)


@pytest.mark.parametrize('mode', ['full', 'lora+embed'])
def test_two_process_fsdp_matches_one_process(mode, data, tmp_path):
    settings = ['--max_steps=8', '--eval_interval=4', '--ckpt_interval=8', '--mixture={"en": 0.5, "hi": 0.5}']
    if mode != 'full':  # LoRA with dropout on: the masks too must not depend on the number of processes
        args = tiny_args(dim=32, n_heads=4, multiple_of=16)
        base = write_checkpoint(tmp_path / 'base', args, random_model(args).state_dict(),
                                json.loads((data / 'meta.json').read_text())['tokenizer'])
        settings += [f'--init_from={base}', f'--mode={mode}', '--lora_dropout=0.3']
    run(data, tmp_path / 'one', *settings, '--grad_accum=2')
    run(data, tmp_path / 'two', *settings, '--grad_accum=1', nproc=2)
    one, two = log(tmp_path / 'one'), log(tmp_path / 'two')
    assert [sorted(r) for r in one] == [sorted(r) for r in two] and len(one) == 8 + 3
    for a, b in zip(one, two):
        for k in a:
            if 'loss' in k:
                assert abs(a[k] - b[k]) < 1e-5, (k, a, b)
    w1, w2 = weights(tmp_path / 'one'), weights(tmp_path / 'two')
    assert max((w1[k] - w2[k]).abs().max().item() for k in w1) < 1e-5
    model, _ = M.load(tmp_path / 'two' / 'latest')  # the checkpoint loads in model.py
    assert all(torch.equal(model.state_dict()[k], w2[k]) for k in w2)


@pytest.mark.parametrize('nproc', [1, 2])
def test_killed_run_resumes_bitwise_equal(nproc, data, tmp_path):
    settings = ['--max_steps=24', '--eval_interval=6', '--ckpt_interval=3', '--mode=lora+embed',
                '--lora_dropout=0.1', '--mixture={"en": 0.7, "hi": 0.3}']
    args = tiny_args(dim=32, n_heads=4, multiple_of=16)
    base = write_checkpoint(tmp_path / 'base', args, random_model(args).state_dict(),
                            json.loads((data / 'meta.json').read_text())['tokenizer'])
    settings.append(f'--init_from={base}')
    run(data, tmp_path / 'ref', *settings, nproc=nproc)
    p = subprocess.Popen(command(data, tmp_path / 'killed', *settings, nproc=nproc), cwd=ROOT,
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env={**os.environ, 'OMP_NUM_THREADS': '1'})
    latest = tmp_path / 'killed' / 'latest'
    deadline = time.time() + 120
    while not latest.exists() and time.time() < deadline and p.poll() is None:
        time.sleep(0.01)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    killed_at = int(os.readlink(latest).split('_')[1])
    assert killed_at < 24, "the run finished before it could be killed"
    run(data, tmp_path / 'killed', *settings[:-1], '--init_from=resume', nproc=nproc)
    ref, resumed = train_state(tmp_path / 'ref'), train_state(tmp_path / 'killed')
    assert ref['trainable'].keys() == resumed['trainable'].keys()
    for k in ref['trainable']:
        assert torch.equal(ref['trainable'][k], resumed['trainable'][k]), k
    for a, b in zip(ref['optimizer']['state'].values(), resumed['optimizer']['state'].values()):
        assert all(torch.equal(a[k], b[k]) for k in a)
    w_ref, w_res = weights(tmp_path / 'ref'), weights(tmp_path / 'killed')
    assert all(torch.equal(w_ref[k], w_res[k]) for k in w_ref)
    steps = [r['step'] for r in log(tmp_path / 'killed') if 'loss' in r]
    assert steps == list(range(1, 25))  # the log was cut back to the checkpoint, then continued


MODES = {
    'full': lambda n: True,
    'embed': lambda n: n == 'tok_embeddings.weight',
    'embed+head': lambda n: n in ('tok_embeddings.weight', 'output.weight'),
    'layers:1': lambda n: n.startswith('layers.1.'),
    'lora': lambda n: '.lora_' in n,
    'lora+embed': lambda n: '.lora_' in n or n in ('tok_embeddings.weight', 'output.weight'),
}


@pytest.mark.parametrize('mode', MODES)
def test_each_mode_changes_exactly_its_parameters(mode, data, tmp_path, sp_tokenizer):
    args = tiny_args(dim=32, n_heads=4, multiple_of=16)
    init = random_model(args).state_dict()
    base = write_checkpoint(tmp_path / 'base', args, init, sp_tokenizer)
    run(data, tmp_path / 'out', f'--init_from={base}', f'--mode={mode}', '--max_steps=3', '--eval_interval=3',
        '--ckpt_interval=3', '--lora_targets=["wq", "w2"]', '--weight_decay=0.0')
    trained = train_state(tmp_path / 'out')['trainable']
    assert set(trained) == {n for n in list(init) + [f'layers.{i}.{m}.lora_{ab}' for i in range(2) for m in
                                                     ('attention.wq', 'feed_forward.w2') for ab in 'AB']
                            if MODES[mode](n) and ('lora' in mode or '.lora_' not in n)}
    saved = weights(tmp_path / 'out')
    adapter = torch.load(tmp_path / 'out' / 'latest' / 'adapter.pth', weights_only=True) if 'lora' in mode else {}
    for name, w0 in init.items():
        if name in trained:
            assert not torch.equal(saved[name], w0), f"{name} should have trained"
        elif name.removesuffix('.weight') + '.lora_A' in adapter:  # frozen base + merged adapter, bitwise
            expected = M.meta_state_dict({name: w0, **{k: v for k, v in adapter.items() if k.startswith(
                name.removesuffix('weight'))}}, lora_scale=16 / 8)[name]
            assert torch.equal(saved[name], expected), name
        else:
            assert torch.equal(saved[name], w0), f"{name} should be unchanged"
    for k in adapter:
        if k.endswith('lora_B'):
            assert adapter[k].abs().sum() > 0


def test_loss_falls_and_a_tiny_batch_is_overfit(data, tmp_path, sp_tokenizer):
    run(data, tmp_path / 'falls', '--max_steps=40', '--eval_interval=40', '--ckpt_interval=40')
    val = [r['val_loss/en'] for r in log(tmp_path / 'falls') if 'val_loss/en' in r]
    assert val[-1] < val[0] - 1.0
    one = write_data(tmp_path / 'one', sp_tokenizer, {'en': TEXT})
    window = T.read_shard(one / 'en.train.bin').tokens[:33].copy()  # exactly one window of block_size + 1
    T.write_shard(one / 'en.train.bin', window)
    run(one, tmp_path / 'overfit', '--max_steps=100', '--eval_interval=100', '--ckpt_interval=100', '--lr=1e-2',
        '--warmup_steps=10', '--weight_decay=0.0')
    assert [r['loss'] for r in log(tmp_path / 'overfit') if 'loss' in r][-1] < 0.01


# ---------------------------------------------------------------- bad input

def one_line_error(r, *words):
    assert r.returncode == 1 and r.stderr.startswith('error: ') and r.stderr.strip().count('\n') == 0, r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)


def test_shards_from_another_tokenizer_are_refused(data, tmp_path, tiktoken_file):
    args = tiny_args(dim=32, n_heads=4, multiple_of=16, vocab_size=M.Tokenizer(tiktoken_file).n_words)
    base = write_checkpoint(tmp_path / 'base', args, random_model(args).state_dict(), tiktoken_file)
    r = run(data, tmp_path / 'out', f'--init_from={base}', '--max_steps=2', ok=False)
    one_line_error(r, 'meta.json', 'resize_vocab=True')
    assert not (tmp_path / 'out').exists()


def test_one_vocabulary_in_either_file_is_one_tokenizer(tmp_path, tiktoken_file):
    """Shards made with Meta's tokenizer.model train a checkpoint whose tokenizer is Hugging Face's
    tokenizer.json of the same vocabulary without a resize, and the reverse. Shards written before the
    digest (meta.json with the file's sha256 only) are compared by file, as they were: refused."""
    from types import SimpleNamespace
    import pretrain
    tok = M.Tokenizer(tiktoken_file)
    args = tiny_args(dim=32, n_heads=4, multiple_of=16, vocab_size=tok.n_words)
    state = random_model(args).state_dict()
    meta_ckpt = write_checkpoint(tmp_path / 'meta', args, state, tiktoken_file)
    hf_ckpt = write_checkpoint(tmp_path / 'hf', args, state, None)
    M.save_hf_tokenizer(tok, hf_ckpt)  # tokenizer.json, and no tokenizer.model
    for ckpt, shards_tokenizer in ((hf_ckpt, tiktoken_file), (meta_ckpt, hf_ckpt / 'tokenizer.json')):
        data = write_data(tmp_path / f'data_{ckpt.name}', shards_tokenizer, {'en': TEXT})
        meta = json.loads((data / 'meta.json').read_text())
        cfg = SimpleNamespace(init_from=str(ckpt), block_size=32, resize_vocab=False, data_dir=str(data), save_format='meta')
        start = pretrain.starting_point(cfg, cfg.init_from, meta, cfg.block_size)
        assert not start.resize and start.args.vocab_size == tok.n_words
        got = pretrain.initial_weights(start, seed=0)
        assert got.keys() == state.keys() and all(torch.equal(got[k], v) for k, v in state.items())
        with pytest.raises(P.InputError, match='resize_vocab=True'):
            pretrain.starting_point(cfg, cfg.init_from, {k: v for k, v in meta.items() if k != 'tokenizer_digest'}, 32)


def test_corrupt_shard_is_refused(data, tmp_path):
    bad = tmp_path / 'bad'
    bad.mkdir()
    for f in data.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    (bad / 'en.train.bin').write_bytes((data / 'en.train.bin').read_bytes()[:-7])
    one_line_error(run(bad, tmp_path / 'out', '--max_steps=2', ok=False), 'en.train.bin', 'truncated')


def test_out_dir_of_another_run_is_refused_unless_resuming_or_overwriting(data, tmp_path):
    run(data, tmp_path / 'out', '--max_steps=2', '--ckpt_interval=2')
    before = weights(tmp_path / 'out')
    one_line_error(run(data, tmp_path / 'out', '--max_steps=2', '--seed=5', ok=False), 'init_from=resume', 'overwrite')
    assert all(torch.equal(before[k], v) for k, v in weights(tmp_path / 'out').items())  # nothing lost
    one_line_error(run(data, tmp_path / 'out', '--max_steps=2', '--lr=1.0', '--init_from=resume', ok=False),
                   "lr=1.0 (run: 0.003)")
    run(data, tmp_path / 'out', '--max_steps=2', '--ckpt_interval=2', '--seed=5', '--overwrite=True')
    assert not all(torch.equal(before[k], v) for k, v in weights(tmp_path / 'out').items())
    one_line_error(run(data, tmp_path / 'none', '--init_from=resume', ok=False), 'no checkpoint to resume')


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(data, tmp_path):
    r = run(data, tmp_path / 'out', '--max_steps=60', '--ckpt_interval=1', '--lr=1.0', '--beta1=0.5', '--beta2=0.0',
            '--warmup_steps=1', '--grad_clip=0', ok=False)  # lr above 1 is refused up front
    one_line_error(r, 'not finite', 'a new run with a lower lr and init_from=')
    good = int(os.readlink(tmp_path / 'out' / 'latest').split('_')[1])
    assert str(good) in r.stderr.split('step_')[-1] and all(torch.isfinite(v).all() for v in weights(tmp_path / 'out').values())


def test_only_rank_0_reads_the_weights(data, tmp_path, sp_tokenizer, monkeypatch):
    """With eight processes, one reads the checkpoint; the others learn only its shapes and dtype."""
    from types import SimpleNamespace
    import pretrain
    args = tiny_args(dim=32, n_heads=4, multiple_of=16)
    model = random_model(args)
    model.output.weight = model.tok_embeddings.weight
    state = {k: v.bfloat16() for k, v in M.meta_state_dict(model.state_dict(), tied=True).items()}
    base = write_checkpoint(tmp_path / 'base', args, state, sp_tokenizer, n_shards=2)
    meta = json.loads((data / 'meta.json').read_text())
    cfg = SimpleNamespace(init_from=str(base), block_size=32, resize_vocab=False, data_dir=str(data),
                          save_format='meta')
    with monkeypatch.context() as m:  # what every process learns reads no weight
        m.setattr(M, 'read_weights', lambda *a: pytest.fail('read the weights'))
        start = pretrain.starting_point(cfg, cfg.init_from, meta, cfg.block_size)
    read = pretrain.initial_weights(start, seed=0)  # rank 0 alone
    assert all(torch.equal(read[k], v) for k, v in state.items()) and read.keys() == state.keys()
    assert start.args == M.ModelArgs(**{**vars(args), 'max_seq_len': 2048}) and start.tied and not start.resize
    assert start.source_dtype == torch.bfloat16 and start.tokenizer == M.load_args(base)[1].path


def test_logged_throughput_counts_only_the_steps_since_the_last_pause(data, tmp_path, monkeypatch):
    """A fake clock that advances one second per micro-batch: every log line must then report one
    micro-batch of tokens per second, also right after an evaluation or a checkpoint (which reset
    the timer) fell between two log lines."""
    import pretrain
    clock = [0.0]
    real_loss_sum = pretrain.loss_sum

    def timed_loss_sum(*a):
        clock[0] += 1.0
        return real_loss_sum(*a)
    monkeypatch.setattr(pretrain, 'loss_sum', timed_loss_sum)
    monkeypatch.setattr(pretrain.time, 'perf_counter', lambda: clock[0])
    cfg = P.configure(vars(pretrain), [f'--data_dir={data}', f'--out_dir={tmp_path / "out"}', *TINY, '--max_steps=30',
                                       '--log_interval=10', '--eval_interval=9', '--ckpt_interval=7', '--grad_accum=2'])
    pretrain.run_stage(cfg, pretrain.pretrain_data)
    rates = [r['tokens_per_s'] for r in log(tmp_path / 'out') if 'tokens_per_s' in r]
    assert len(rates) == 3 and all(r == 4 * 32 for r in rates), rates  # batch_size x block_size per second


# ---------------------------------------------------------------- an extended Llama 3 vocabulary

def test_llama3_shaped_model_continues_on_an_extended_vocabulary(tmp_path, tiktoken_file):
    """Extend a Llama-3-format vocabulary on Hindi, continue a Llama-3-shaped checkpoint (GQA, Meta's
    vocab-parallel shards) on shards made with it, and generate from what pretrain.py saved."""
    lines = HINDI.split('। ')[0].split(' ') * 3
    hindi = tmp_path / 'hi.txt'
    hindi.write_text('\n'.join(' '.join(lines[i:i + 9]) + '।' for i in range(0, len(lines), 3)))
    english = tmp_path / 'en.txt'
    english.write_text(TEXT)
    base = M.Tokenizer(tiktoken_file)
    ext = T.extend_tokenizer(tiktoken_file, {'hi': str(hindi)}, tmp_path / 'ext' / 'tokenizer.model', 20, str(english))
    data = write_data(tmp_path / 'data', ext.path, {'en': TEXT, 'hi': hindi.read_text() * 4})
    args = tiny_args(dim=32, n_heads=4, n_kv_heads=2, multiple_of=16, vocab_size=base.n_words, rope_theta=500000.0)
    init = random_model(args).state_dict()
    ckpt = write_checkpoint(tmp_path / 'base', args, init, tiktoken_file, n_shards=2, embed_dim=0)
    run(data, tmp_path / 'out', f'--init_from={ckpt}', '--resize_vocab=True', '--mode=layers:0,1',
        '--mixture={"en": 0.5, "hi": 0.5}', '--max_steps=3', '--eval_interval=3', '--ckpt_interval=3')
    model, tok = M.load(tmp_path / 'out' / 'latest')
    n = base.n_words
    assert tok.sha256 == ext.sha256 and model.args.vocab_size == tok.n_words == n + 20 and tok.bos_id == base.bos_id
    assert json.loads((tmp_path / 'out' / 'latest' / 'params.json').read_text())['vocab_size'] == n + 20
    assert not torch.equal(model.layers[0].attention.wq.weight, init['layers.0.attention.wq.weight'])  # it trained
    for name, w in (('tok_embeddings.weight', model.tok_embeddings.weight), ('output.weight', model.output.weight)):
        assert torch.equal(w[:n], init[name])  # the old rows, bitwise (this mode leaves them frozen)
        for i in range(n, n + 20):  # the new ones: the mean of the old tokens that spell each
            spelt = tok.model.decode_single_token_bytes(i)
            pieces = [base.ranks[p] for p in M.bpe(base.ranks, [spelt[j:j + 1] for j in range(len(spelt))])]
            assert len(pieces) > 1 and torch.allclose(w[i], init[name][pieces].mean(0))
    prompt = tok.encode(hindi.read_text().split('\n')[0], bos=True, eos=False)
    assert any(i >= n for i in prompt)
    new = M.generate(model.eval(), [prompt], 12)[0]
    text = tok.decode(new)
    assert len(new) == 12 and tok.decode(tok.encode(text, False, False)) == text
    with torch.no_grad():  # greedy over the grown vocabulary: each new id is the argmax of the full forward
        logits = model(torch.tensor([prompt + new[:-1]]))
    assert logits.shape[-1] == n + 20 and logits[0, len(prompt) - 1:].argmax(-1).tolist() == new


def test_keep_last_prunes_and_a_moved_run_resumes_past_a_torn_log_line(data, tmp_path):
    settings = ['--ckpt_interval=1', '--keep_last=2', '--eval_interval=4', '--peak_flops=1e12']
    run(data, tmp_path / 'a', '--max_steps=3', *settings)
    assert sorted(p.name for p in (tmp_path / 'a').glob('step_*')) == ['step_000002', 'step_000003']
    assert os.readlink(tmp_path / 'a' / 'latest') == 'step_000003'
    (tmp_path / 'a').rename(tmp_path / 'b')  # moved: run.json still names a/
    with open(tmp_path / 'b' / 'log.jsonl', 'a') as f:
        f.write('{"step": 4, "lo')  # the line a kill tore
    run(data, tmp_path / 'b', '--max_steps=4', *settings, '--init_from=resume')
    assert sorted(p.name for p in (tmp_path / 'b').glob('step_*')) == ['step_000003', 'step_000004']
    records = [r for r in log(tmp_path / 'b') if 'loss' in r]
    assert [r['step'] for r in records] == [1, 2, 3, 4]
    ratio = [r['mfu'] / r['tokens_per_s'] for r in records]  # MFU = flops per token x tokens/s / peak
    assert all(r['tokens_per_s'] > 0 for r in records) and max(ratio) - min(ratio) < 1e-6 * ratio[0]


def test_a_kill_mid_save_leaves_latest_whole_and_resumable(data, tmp_path):
    settings = ['--max_steps=12', '--ckpt_interval=1', '--eval_interval=12']
    out = tmp_path / 'out'
    p = subprocess.Popen(command(data, out, *settings), cwd=ROOT, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    deadline = time.time() + 120
    saving = []
    while p.poll() is None and time.time() < deadline and not saving:
        saving = list(out.glob('.step_00000[2-9].tmp*/consolidated.00.pth'))
    p.kill()  # while a checkpoint is being written: its temporary folder exists
    p.wait()
    step = int(saving[0].parent.name[6:12])
    assert p.returncode == -signal.SIGKILL and os.readlink(out / 'latest') in (f'step_{step - 1:06d}', f'step_{step:06d}')
    model, _ = M.load(out / 'latest')  # whole: every file there loads
    assert train_state(out)['step'] == int(os.readlink(out / 'latest')[-6:])
    run(data, out, *settings, '--init_from=resume')
    assert os.readlink(out / 'latest') == 'step_000012' and not list(out.glob('.*tmp*'))


def test_a_full_disk_mid_save_is_one_line_and_latest_stays(data, tmp_path):
    """Files may grow to 40 kB (RLIMIT_FSIZE), as if the disk filled: the step-4 checkpoint cannot be
    written, the run stops with one line, and latest still names the complete step-2 checkpoint."""
    import resource
    out = tmp_path / 'out'
    run(data, out, '--max_steps=2', '--ckpt_interval=2', '--eval_interval=2')
    before = {p.name: p.read_bytes() for p in (out / 'step_000002').iterdir()}

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))
    r = subprocess.run(command(data, out, '--max_steps=4', '--ckpt_interval=2', '--eval_interval=2', '--init_from=resume'),
                       cwd=ROOT, capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'},
                       preexec_fn=small_disk)
    one_line_error(r, 'step_000004', 'cannot write')
    assert os.readlink(out / 'latest') == 'step_000002' and not list(out.glob('*step_000004*'))
    assert {p.name: p.read_bytes() for p in (out / 'step_000002').iterdir()} == before


def test_embed_lr_reaches_the_embedding_and_output_only():
    from types import SimpleNamespace
    import pretrain
    model = random_model(tiny_args())
    cfg = SimpleNamespace(lr=1e-3, embed_lr=5e-2, weight_decay=0.1, beta1=0.9, beta2=0.95)
    optimizer = pretrain.make_optimizer(cfg, model, torch.device('cpu'))
    lr_of = {id(p): g['lr'] for g in optimizer.param_groups for p in g['params']}
    decay_of = {id(p): g['weight_decay'] for g in optimizer.param_groups for p in g['params']}
    for name, p in model.named_parameters():
        embed = name.startswith(('tok_embeddings.', 'output.'))
        assert lr_of[id(p)] == (5e-2 if embed else 1e-3), name
        assert decay_of[id(p)] == (0.1 if p.dim() >= 2 else 0.0), name  # never on norms


# ---------------------------------------------------------------- the shards' identity, checked on every path

def retrained(path, text):
    """A 300-piece tokenizer like conftest's sp_tokenizer, trained on other text: the same size, other pieces."""
    import sentencepiece as spm
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / 'text.txt').write_text(text)
    spm.SentencePieceTrainer.train(input=str(path.parent / 'text.txt'), model_prefix=str(path.with_suffix('')),
                                   vocab_size=300, model_type='bpe', byte_fallback=True, character_coverage=1.0,
                                   bos_id=1, eos_id=2, unk_id=0, pad_id=-1, minloglevel=2)
    return path


def test_a_tokenizer_retrained_in_place_is_refused_from_scratch_resize_and_resume(tmp_path, sp_tokenizer):
    """The shards' tokenizer file is replaced by another of the same size after tokenize_prep.py ran: a run from
    scratch, a resize run (which takes the shards' file) and the resume of a scratch run each refuse in one line,
    and write nothing."""
    tok = retrained(tmp_path / 'tok' / 'tokenizer.model', TEXT + 'bakers open river shops at dawn\n' * 60)
    assert M.Tokenizer(tok).n_words == M.Tokenizer(sp_tokenizer).n_words
    data = write_data(tmp_path / 'data', tok, {'en': TEXT * 3})
    run(data, tmp_path / 'run', '--max_steps=2', '--ckpt_interval=2')
    args = tiny_args(dim=32, n_heads=4, multiple_of=16)
    base = write_checkpoint(tmp_path / 'base', args, random_model(args).state_dict(), sp_tokenizer)
    saved = weights(tmp_path / 'run')
    tok.write_bytes(Path(sp_tokenizer).read_bytes())  # retrained in place
    for settings in (['--max_steps=2'], [f'--init_from={base}', '--resize_vocab=True', '--max_steps=2']):
        one_line_error(run(data, tmp_path / 'out', *settings, ok=False), str(tok), 'meta.json', 'tokenize_prep.py')
        assert not (tmp_path / 'out').exists()
    one_line_error(run(data, tmp_path / 'run', '--max_steps=4', '--init_from=resume', ok=False), str(tok), 'meta.json')
    assert os.readlink(tmp_path / 'run' / 'latest') == 'step_000002'
    assert all(torch.equal(saved[k], v) for k, v in weights(tmp_path / 'run').items())


def test_shards_record_their_largest_id_and_ids_beyond_the_vocabulary_are_one_line(data, tmp_path):
    """A shard's header holds its largest id + 1 (read without a pass over the tokens); a shard written before
    that (the field 0) takes one pass. Ids beyond the tokenizer's vocabulary stop a run in one line, never
    IndexError."""
    shard = T.read_shard(data / 'en.train.bin')
    assert shard.id_bound == int(shard.tokens.max()) + 1
    bad = tmp_path / 'bad'
    shutil.copytree(data, bad)
    tokens = np.array(shard.tokens)
    tokens[::7] = 300 + 5  # the tokenizer has 300 pieces
    (bad / 'en.train.bin').unlink()
    T.write_shard(bad / 'en.train.bin', tokens)
    assert T.read_shard(bad / 'en.train.bin').id_bound == 306
    one_line_error(run(bad, tmp_path / 'out', '--max_steps=2', ok=False), 'en.train.bin', 'token ids up to 305', '300')
    raw = bytearray((bad / 'en.train.bin').read_bytes())
    raw[20:24] = bytes(4)  # the reserved word, as written before the shards recorded their largest id
    (bad / 'en.train.bin').write_bytes(bytes(raw))
    assert T.read_shard(bad / 'en.train.bin').id_bound == 306
    one_line_error(run(bad, tmp_path / 'out', '--max_steps=2', ok=False), 'en.train.bin', 'token ids up to 305')
    assert not (tmp_path / 'out').exists()


def test_ids_beyond_the_vocabulary_are_one_line_under_torchrun(data, tmp_path):
    """Every process stops with the same one line (torchrun's own report follows); none dies of IndexError."""
    bad = tmp_path / 'bad'
    shutil.copytree(data, bad)
    tokens = np.array(T.read_shard(data / 'en.train.bin').tokens)
    tokens[::7] = 300 + 5
    (bad / 'en.train.bin').unlink()
    T.write_shard(bad / 'en.train.bin', tokens)
    r = subprocess.run(command(bad, tmp_path / 'out', '--max_steps=2', nproc=2), cwd=ROOT, capture_output=True,
                       text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'}, timeout=300)
    assert r.returncode != 0 and 'IndexError' not in r.stderr, r.stderr[-3000:]
    # each process that prints before torchrun stops it prints the same line (two may interleave in the pipe)
    errors = re.findall(r'error: .*?re-run tokenize_prep\.py', r.stderr)
    assert 1 <= len(errors) <= 2 and len(set(errors)) == 1 and 'en.train.bin: token ids up to 305' in errors[0], r.stderr
    assert not (tmp_path / 'out').exists()


# ---------------------------------------------------------------- long work checked early

def test_warmup_longer_than_the_run_is_refused_before_it_starts(data, tmp_path):
    one_line_error(run(data, tmp_path / 'out', '--max_steps=4', '--warmup_steps=5', ok=False),
                   'warmup_steps=5', 'max_steps=4')
    assert not (tmp_path / 'out').exists()


def test_a_held_out_shard_too_short_for_a_window_is_said_once(data, tmp_path):
    short = tmp_path / 'short'
    shutil.copytree(data, short)
    (short / 'hi.val.bin').unlink()
    T.write_shard(short / 'hi.val.bin', np.array(T.read_shard(data / 'hi.val.bin').tokens[:20]))  # block_size 32
    r = run(short, tmp_path / 'out', '--max_steps=4', '--eval_interval=1', '--mixture={"en": 1.0, "hi": 1.0}')
    said = [line for line in r.stdout.splitlines() if 'hi.val.bin' in line]
    assert len(said) == 1 and 'block_size=32' in said[0], r.stdout
    records = [x for x in log(tmp_path / 'out') if any(k.startswith('val_loss') for k in x)]
    assert len(records) == 5 and all('val_loss/en' in x and 'val_loss/hi' not in x for x in records)


# ---------------------------------------------------------------- Hugging Face's layout in and out

def test_continued_pretraining_from_a_hf_directory_saves_hf_and_resumes_bitwise(data, tmp_path, sp_tokenizer):
    """A LlamaForCausalLM saved by transformers (GQA, its own intermediate_size), its tokenizer the shards' file:
    no resize; saved in both layouts; a run cut back to an earlier checkpoint resumes to the same weights."""
    import shutil
    from transformers import LlamaConfig, LlamaForCausalLM
    config = LlamaConfig(vocab_size=M.Tokenizer(sp_tokenizer).n_words, hidden_size=32, intermediate_size=72,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)
    torch.manual_seed(0)
    hf = LlamaForCausalLM(config)
    hf.save_pretrained(tmp_path / 'hf')
    (tmp_path / 'hf' / 'tokenizer.model').write_bytes(Path(sp_tokenizer).read_bytes())
    settings = [f'--init_from={tmp_path / "hf"}', '--max_steps=6', '--ckpt_interval=3', '--eval_interval=6',
                '--save_format=both', '--mode=lora', '--lora_dropout=0.1']
    run(data, tmp_path / 'ref', *settings)
    ref = tmp_path / 'ref' / 'latest'
    assert (ref / 'config.json').is_file() and (ref / 'params.json').is_file()
    args = M.load_args(ref)[0]
    meta_w, hf_w = M.read_meta_weights(ref, args), M.read_hf_weights(ref, args)
    assert all(torch.equal(meta_w[k], hf_w[k]) for k in meta_w) and args.ffn_hidden_dim == 72
    # the same run, cut back to its step-3 checkpoint (as a kill after that save leaves it), then resumed
    shutil.copytree(tmp_path / 'ref', tmp_path / 'cut', symlinks=True)
    shutil.rmtree(tmp_path / 'cut' / 'step_000006')
    (tmp_path / 'cut' / 'latest').unlink()
    (tmp_path / 'cut' / 'latest').symlink_to('step_000003')
    run(data, tmp_path / 'cut', *settings[1:], '--init_from=resume')
    resumed = M.read_hf_weights(tmp_path / 'cut' / 'latest', args)
    assert all(torch.equal(hf_w[k], resumed[k]) for k in hf_w)
    a, b = train_state(tmp_path / 'ref'), train_state(tmp_path / 'cut')
    assert all(torch.equal(a['trainable'][k], b['trainable'][k]) for k in a['trainable'])
    # transformers reads what pretrain.py wrote, LoRA merged, to the logits of model.py
    model, _ = M.load(ref)
    tokens = torch.randint(0, model.args.vocab_size, (1, 16))
    with torch.no_grad():
        assert (model(tokens) - LlamaForCausalLM.from_pretrained(ref)(tokens).logits).abs().max() < 1e-5
