"""Training throughput of pretrain.py's loop, beside transformers' LlamaForCausalLM in the same
loop (same config, batch, optimiser, data), in one run on this CPU; and, on a CUDA GPU, the MFU of
a ~1B LLaMA in bfloat16 (eager and compiled) and the peak memory of LoRA on a Llama-2-7B shape.

    python benchmarks/bench_pretrain.py           # CPU comparison; the GPU parts when CUDA is present
"""
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / 'tests'), str(ROOT / 'benchmarks')]
import model as M  # noqa: E402
import pretrain  # noqa: E402
import tokenize_prep as T  # noqa: E402
from bench_model import _tokenizer_of_size  # noqa: E402
from conftest import random_model  # noqa: E402
from test_model import to_hf  # noqa: E402


class Logits(torch.nn.Module):
    """transformers' model behind pretrain.loss_sum's interface: model(x, mask=None) -> logits."""

    def __init__(self, hf):
        super().__init__()
        self.hf = hf

    def forward(self, x, mask=None):
        return self.hf(x).logits.float()


def steps_per_second(model, cfg, get_sample, steps=6, warmup=2):
    optimizer = pretrain.make_optimizer(cfg, model, torch.device('cpu'))
    times = []
    for step in range(warmup + steps):
        t = time.perf_counter()
        x, y = (torch.stack(s) for s in zip(*(get_sample(step, i) for i in range(cfg.batch_size))))
        loss, count = pretrain.loss_sum(model, x, y)
        (loss / count).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - t)
    return 1 / statistics.median(times[warmup:])


def cpu_comparison():
    cfg = SimpleNamespace(batch_size=8, block_size=256, lr=1e-3, embed_lr=0.0, weight_decay=0.1, beta1=0.9,
                          beta2=0.95, grad_clip=1.0)
    configs = {'demo (dim 128, 4 layers, vocab 4000)': dict(dim=128, n_layers=4, n_heads=4, vocab_size=4000, multiple_of=32),
               'small (dim 512, 8 layers, GQA 8/2, vocab 8000)': dict(dim=512, n_layers=8, n_heads=8, n_kv_heads=2,
                                                                      vocab_size=8000, multiple_of=64)}
    for name, kw in configs.items():
        args = M.ModelArgs(**kw, max_seq_len=cfg.block_size)
        tokens = np.random.default_rng(0).integers(0, args.vocab_size, 200_000).astype(np.uint16)
        shard = SimpleNamespace(tokens=tokens, mask=None)
        get_sample = pretrain.window_sampler({'en': shard}, {'en': 1.0}, cfg.block_size, seed=0)
        ours = random_model(args)
        theirs = Logits(to_hf(args, M.meta_state_dict(ours.state_dict())).train())
        theirs.hf.config._attn_implementation = 'sdpa'
        rates = {'ours': [], 'theirs': []}
        for _ in range(3):  # alternate, so that other load on the machine hits both alike
            rates['ours'].append(steps_per_second(ours, cfg, get_sample))
            rates['theirs'].append(steps_per_second(theirs, cfg, get_sample))
        a, b = (statistics.median(rates[k]) * cfg.batch_size * cfg.block_size for k in ('ours', 'theirs'))
        print(f"CPU training, {name}: ours {a:,.0f} tok/s, transformers {b:,.0f} tok/s, ratio {a / b:.2f}x")


def run_pretrain(out, *settings):
    """pretrain.py itself on synthetic data (random tokens, a 32000-token tokenizer); its log records."""
    data = Path(out) / 'data'
    data.mkdir(parents=True)
    _tokenizer_of_size(data / 'tokenizer.model', 32000)
    tok = M.Tokenizer(data / 'tokenizer.model')
    tokens = np.random.default_rng(0).integers(0, 32000, 4_000_000).astype(np.uint16)
    for split in ('train', 'val'):
        T.write_shard(data / f'en.{split}.bin', tokens)
    (data / 'meta.json').write_text(json.dumps({'tokenizer': str(data / 'tokenizer.model'),
                                                'tokenizer_sha256': tok.sha256, 'vocab_size': tok.n_words}))
    subprocess.run([sys.executable, str(ROOT / 'pretrain.py'), f'--data_dir={data}', f'--out_dir={out}/run',
                    '--eval_interval=100000', '--ckpt_interval=100000', '--log_interval=5', *settings],
                   check=True, cwd=ROOT)
    records = [json.loads(l) for l in (Path(out) / 'run' / 'log.jsonl').read_text().splitlines()]
    return [r for r in records if 'loss' in r]


def gpu_benchmarks():
    # ~1.1B parameters: TinyLlama's shape (dim 2048, 22 layers, 32 heads, 4 kv heads, hidden 5632)
    one_b = ['--dim=2048', '--n_layers=22', '--n_heads=32', '--n_kv_heads=4', '--multiple_of=256', '--rope_theta=10000.0',
             '--device=cuda', '--dtype=bfloat16', '--batch_size=8', '--block_size=2048', '--max_steps=30',
             '--warmup_steps=5', '--save_dtype=bfloat16']
    for compiled in (False, True):
        with tempfile.TemporaryDirectory() as d:
            log = run_pretrain(d, *one_b, f'--compile={compiled}')
            mfu = statistics.median(r['mfu'] for r in log[2:])
            tps = statistics.median(r['tokens_per_s'] for r in log[2:])
            print(f"GPU ~1B bf16 {'compiled' if compiled else 'eager'}: {tps:,.0f} tok/s, MFU {mfu:.1%}, "
                  f"peak memory {log[-1]['max_memory_gib']:.1f} GiB ({torch.cuda.get_device_name()})")
    # LoRA on a Llama-2-7B shape, micro-batch 1, sequence 512: lit-gpt publishes 21.3 GB
    seven_b = ['--dim=4096', '--n_layers=32', '--n_heads=32', '--multiple_of=256', '--device=cuda', '--dtype=bfloat16',
               '--mode=lora', '--lora_r=8', '--lora_alpha=16', '--lora_targets=["wq", "wv"]', '--batch_size=1',
               '--block_size=512', '--max_steps=10', '--warmup_steps=2', '--save_dtype=bfloat16']
    with tempfile.TemporaryDirectory() as d:
        log = run_pretrain(d, *seven_b)
        print(f"GPU LoRA, Llama-2-7B shape, micro-batch 1 x 512: peak memory {log[-1]['max_memory_gib']:.1f} GiB "
              f"(lit-gpt: 21.3 GB)")


if __name__ == '__main__':
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    cpu_comparison()
    if torch.cuda.is_available():
        gpu_benchmarks()
    else:
        print("GPU parts (MFU of a ~1B model, LoRA memory on a 7B shape): skipped, no CUDA device")
