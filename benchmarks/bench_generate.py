"""Batched generation for evaluation (evaluate.generate_batched: prompts sorted by length into
batches, KV cache) against one prompt at a time, on the same prompts and the same small random
LLaMA, in one run. Prints tokens per second for both and the ratio, after checking that both
produce the same tokens.

    python benchmarks/bench_generate.py [--batch_size=16 --n_prompts=64 --device=cuda ...]
"""
import random
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import evaluate as E  # noqa: E402
import model as M  # noqa: E402
import plumbing as P  # noqa: E402

n_prompts = 48  # prompts of random lengths
min_len = 8  # shortest prompt, in tokens
max_len = 96  # longest prompt
max_new_tokens = 32  # generated per prompt (no stop token, so every prompt gets all of them)
batch_size = 16  # prompts per batch in the batched run
dim, n_layers, n_heads, vocab_size = 256, 4, 8, 2000  # the random model
device = 'cpu'
threads = 0  # torch threads on CPU; 0 = torch's default
seed = 0

if __name__ == '__main__':
    cfg = P.configure(globals())
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    args = M.ModelArgs(dim=cfg.dim, n_layers=cfg.n_layers, n_heads=cfg.n_heads, vocab_size=cfg.vocab_size,
                       multiple_of=32, max_seq_len=cfg.max_len + cfg.max_new_tokens)
    model = M.Transformer(args)
    model.init_weights(cfg.seed)
    model = model.to(cfg.device).eval()
    rng = random.Random(cfg.seed)
    prompts = [[1] + [rng.randrange(3, cfg.vocab_size) for _ in range(rng.randint(cfg.min_len, cfg.max_len) - 1)]
               for _ in range(cfg.n_prompts)]
    E.generate_batched(model, prompts[:2], 2, (), 2)  # warm-up

    def timed(fn):
        if cfg.device.startswith('cuda'):
            torch.cuda.synchronize()
        t = time.perf_counter()
        out = fn()
        if cfg.device.startswith('cuda'):
            torch.cuda.synchronize()
        return out, time.perf_counter() - t

    alone, t_alone = timed(lambda: [M.generate(model, [p], cfg.max_new_tokens)[0] for p in prompts])
    batched, t_batched = timed(lambda: E.generate_batched(model, prompts, cfg.max_new_tokens, (), cfg.batch_size))
    assert batched == alone, "batched generation changed the tokens"
    n_tokens = sum(map(len, batched))
    print(f"{cfg.n_prompts} prompts of {cfg.min_len}-{cfg.max_len} tokens, {cfg.max_new_tokens} new tokens each, "
          f"dim={cfg.dim} n_layers={cfg.n_layers} vocab={cfg.vocab_size} on {cfg.device} "
          f"({torch.get_num_threads()} threads); same tokens: yes")
    print(f"one prompt at a time: {t_alone:7.2f} s  {n_tokens / t_alone:8.1f} tokens/s")
    print(f"batched ({cfg.batch_size}/batch):  {t_batched:7.2f} s  {n_tokens / t_batched:8.1f} tokens/s")
    print(f"ratio: batched is {t_alone / t_batched:.2f}x the throughput of one at a time")
