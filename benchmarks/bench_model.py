"""model.py beside transformers' LlamaForCausalLM, in one run, on this machine's CPU, float32:

1. a training step (forward, backward, AdamW) on the same weights and batch;
2. greedy generation with the KV cache (ours: model.generate; theirs: generate(do_sample=False)),
   checking that both produce the same tokens;
3. peak memory while loading a Meta-format checkpoint, relative to its size on disk (one file and
   two model-parallel shards; run in a fresh process each).

    python benchmarks/bench_model.py            # prints each measurement and its ratio
"""
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / 'tests')]
import model as M  # noqa: E402
from conftest import random_model, write_checkpoint  # noqa: E402
from test_model import to_hf  # noqa: E402

CONFIGS = {  # the demo's model, and a model ~20x its compute
    'demo (dim 128, 4 layers, vocab 4000)': dict(dim=128, n_layers=4, n_heads=4, vocab_size=4000, multiple_of=32),
    'small (dim 512, 8 layers, GQA 8/2, vocab 8000)': dict(dim=512, n_layers=8, n_heads=8, n_kv_heads=2,
                                                           vocab_size=8000, multiple_of=64),
}


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def interleaved(ours, theirs, warmup=2, repeats=7):
    """Median seconds of each, measured alternately so that load on the machine hits both alike."""
    for _ in range(warmup):
        ours(), theirs()
    a, b = [], []
    for _ in range(repeats):
        a.append(timed(ours, 1))
        b.append(timed(theirs, 1))
    return statistics.median(a), statistics.median(b)


def bench_train(args, batch=8, seq=256):
    """tokens/s of ours, of ours with torch.compile on each block, and of transformers' (eager)."""
    ours = random_model(args)
    compiled = random_model(args)
    for block in compiled.layers:
        block.compile()
    hf = to_hf(args, M.meta_state_dict(ours.state_dict())).train()
    hf.config._attn_implementation = 'sdpa'  # transformers' fastest on CPU
    x = torch.randint(0, args.vocab_size, (batch, seq))
    y = torch.randint(0, args.vocab_size, (batch, seq))

    def step_of(model, logits_of):
        optimizer = torch.optim.AdamW(model.parameters(), 1e-4)

        def step():
            loss = F.cross_entropy(logits_of(model(x)).float().view(-1, args.vocab_size), y.view(-1))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        return step

    theirs = step_of(hf, lambda o: o.logits)
    t_ours, t_hf = interleaved(step_of(ours, lambda o: o), theirs)
    t_compiled, t_hf2 = interleaved(step_of(compiled, lambda o: o), theirs, warmup=3)
    return batch * seq / t_ours, batch * seq / t_compiled, batch * seq * 2 / (t_hf + t_hf2)


@torch.inference_mode()
def bench_generate(args, batch=1, prompt_len=16, new=64):
    ours = random_model(args).eval()
    hf = to_hf(args, M.meta_state_dict(ours.state_dict())).eval()
    hf.config._attn_implementation = 'sdpa'
    prompts = torch.randint(3, args.vocab_size, (batch, prompt_len))
    mine = M.generate(ours, prompts.tolist(), new)
    theirs = hf.generate(prompts, max_new_tokens=new, min_new_tokens=new, do_sample=False,
                         pad_token_id=0)[:, prompt_len:].tolist()
    assert mine == theirs, "greedy generation differs from transformers'"
    t_ours, t_hf = interleaved(lambda: M.generate(ours, prompts.tolist(), new),
                               lambda: hf.generate(prompts, max_new_tokens=new, min_new_tokens=new,
                                                   do_sample=False, pad_token_id=0), warmup=1, repeats=5)
    return batch * new / t_ours, batch * new / t_hf


def status_kib(field):
    """VmRSS (resident now) or VmHWM (the peak) of this process, in KiB. (Not getrusage's
    ru_maxrss: on Linux it keeps the parent's peak across fork and exec.)"""
    return int(next(l for l in open('/proc/self/status') if l.startswith(field)).split()[1])


def load_child(ckpt_dir):
    """In a fresh process: peak resident memory of model.load (in the checkpoint's dtype), every
    weight then read once so that the whole model is resident, beyond what the process held
    before; and the checkpoint's size, in bytes."""
    before = status_kib('VmRSS')
    model, _ = M.load(ckpt_dir, dtype=None)
    total = sum(p.sum().item() for p in model.parameters())  # touch every page (a reduction: no copy)
    peak = status_kib('VmHWM')
    size = sum(p.stat().st_size for p in Path(ckpt_dir).glob('consolidated.*.pth'))
    assert total == total
    print(json.dumps({'peak_bytes': (peak - before) * 1024, 'file_bytes': size}))


def bench_load(shards):
    """A ~1 GB bfloat16 checkpoint (LLaMA-2 layout), loaded in a separate process."""
    args = M.ModelArgs(dim=2048, n_layers=8, n_heads=16, vocab_size=32000, multiple_of=256, max_seq_len=2048)
    with tempfile.TemporaryDirectory() as d:
        with torch.device('meta'):
            skeleton = M.Transformer(args)
        state = {k: torch.randn(v.shape, dtype=torch.bfloat16) * 0.02 for k, v in skeleton.state_dict().items()}
        write_checkpoint(Path(d), args, state, None, n_shards=shards, embed_dim=1)
        _tokenizer_of_size(Path(d) / 'tokenizer.model', args.vocab_size)
        del state
        r = subprocess.run([sys.executable, __file__, 'load_child', d], capture_output=True, text=True, check=True)
        out = json.loads(r.stdout.strip().splitlines()[-1])
    return out['peak_bytes'], out['file_bytes']


def _tokenizer_of_size(path, vocab_size):
    """A tiktoken-format file: 256 byte tokens and byte pairs, plus the 256 specials, = vocab_size."""
    import base64
    merges = [bytes([a, b]) for a in range(256) for b in range(256)]
    tokens = [bytes([i]) for i in range(256)] + merges[:vocab_size - 512]
    path.write_text(''.join(f"{base64.b64encode(t).decode()} {i}\n" for i, t in enumerate(tokens)))


if __name__ == '__main__':
    if sys.argv[1:2] == ['load_child']:
        load_child(sys.argv[2])
        sys.exit()
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, float32\n")
    for name, kw in CONFIGS.items():
        args = M.ModelArgs(**kw, max_seq_len=512)
        ours, compiled, theirs = bench_train(args)
        print(f"train step   {name}: ours {ours:,.0f} tok/s, transformers {theirs:,.0f} tok/s, ratio {ours / theirs:.2f}x; "
              f"ours compiled {compiled:,.0f} tok/s, {compiled / theirs:.2f}x")
        ours, theirs = bench_generate(args)
        print(f"generation   {name}: ours {ours:,.1f} tok/s, transformers {theirs:,.1f} tok/s, ratio {ours / theirs:.2f}x"
              " (same tokens)")
    for shards in (1, 2):
        peak, size = bench_load(shards)
        print(f"load         {shards} file(s), {size / 2**30:.2f} GiB bfloat16: peak memory {peak / 2**30:.2f} GiB, "
              f"{peak / size:.2f}x the file size")
