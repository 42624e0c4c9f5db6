"""Peak memory of checkpoint I/O against the size of the weights on disk, each in a fresh process, in one run:

1. saving what pretrain.py saves after a LoRA run: the gathered state (frozen weights in bfloat16, LoRA
   adapters on every projection in float32), the adapters folded in (model.meta_state_dict), written in
   Meta's layout, Hugging Face's, or both; beside it the reference, the merge as model.py did it before
   issue 21 (a merged copy built beside the gathered state, then cast), written in Meta's layout;
2. loading it back from either layout (model.load, every weight then touched once).

The shape: Llama-2-7B's matrices (dim 4096, hidden 11008, vocab 32000) with 2 of its 32 layers, 1.3 GB
in bfloat16: what fits beside other work on this shared 24 GiB machine. Per-tensor temporaries weigh
16x more against this model than against the real 7B, so its ratios are an upper bound for 7B.

    python benchmarks/bench_checkpoint.py          # one line per measurement: peak, weights, ratio
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]
import model as M  # noqa: E402
from bench_model import _tokenizer_of_size, status_kib  # noqa: E402

ARGS = M.ModelArgs(dim=4096, n_layers=2, n_heads=32, vocab_size=32000, multiple_of=256)  # LLaMA 2 7B's layers


def old_meta_state_dict(state, lora_scale):
    """model.meta_state_dict before issue 21: a new dict of merged copies beside `state` (the reference)."""
    out = {}
    for name, w in state.items():
        if '.lora_' in name:
            continue
        base = name.removesuffix('.weight')
        if f'{base}.lora_A' in state:
            delta = state[f'{base}.lora_B'].float() @ state[f'{base}.lora_A'].float()
            w = (w.float() + lora_scale * delta).to(w.dtype)
        out[name] = w
    return out


def save_child(out_dir, save_format, tokenizer):
    """Build the gathered state of a LoRA run, then save it as pretrain.py does; print peak and sizes."""
    before = status_kib('VmRSS')
    with torch.device('meta'):
        shapes = {k: v.shape for k, v in M.Transformer(ARGS).state_dict().items()}
    g = torch.Generator().manual_seed(0)
    state = {k: torch.randn(s, generator=g, dtype=torch.bfloat16).mul_(0.02) for k, s in shapes.items()}
    for k, s in shapes.items():
        if k.endswith(tuple(f"{t}.weight" for t in M.LORA_TARGETS)):
            base = k.removesuffix('.weight')
            state[f'{base}.lora_A'] = torch.randn(8, s[1], generator=g).mul_(0.01)
            state[f'{base}.lora_B'] = torch.randn(s[0], 8, generator=g).mul_(0.01)
    state_kib = status_kib('VmRSS') - before
    if save_format == 'old':
        weights = {k: v.to(torch.bfloat16) for k, v in old_meta_state_dict(state, 2.0).items()}
        M.save(out_dir, ARGS, weights, tokenizer)
    else:
        M.save(out_dir, ARGS, M.meta_state_dict(state, 2.0, dtype=torch.bfloat16), tokenizer, save_format=save_format)
    print(json.dumps({'peak_bytes': (status_kib('VmHWM') - before) * 1024, 'state_bytes': state_kib * 1024}))


def load_child(ckpt_dir):
    """model.load, every weight then read once (a reduction: no copy), beyond what the process held before."""
    before = status_kib('VmRSS')
    model, _ = M.load(ckpt_dir, dtype=None)
    total = sum(p.sum().item() for p in model.parameters())
    assert total == total
    print(json.dumps({'peak_bytes': (status_kib('VmHWM') - before) * 1024}))


def child(*argv):
    r = subprocess.run([sys.executable, __file__, *map(str, argv)], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def weights_bytes(d, layout):
    return sum(p.stat().st_size for p in Path(d).glob('consolidated.*.pth' if layout == 'meta' else '*.safetensors'))


def report(what, peak, size, state=None):
    also = f" (the gathered state alone: {state / size:.2f}x)" if state else ''
    print(f"{what:55s} peak {peak / 2**30:5.2f} GiB, weights {size / 2**30:5.2f} GiB: {peak / size:.2f}x{also}")


if __name__ == '__main__':
    if sys.argv[1:2] == ['save_child']:
        save_child(*sys.argv[2:])
        sys.exit()
    if sys.argv[1:2] == ['load_child']:
        load_child(sys.argv[2])
        sys.exit()
    M.SHARD_BYTES = 10**9  # two shards and an index, as a 7B model gets at 5 GB (5 GB: model.py)
    print(f"Llama-2-7B matrices, {ARGS.n_layers} layers, bfloat16; LoRA r=8 on {', '.join(M.LORA_TARGETS)}\n")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        _tokenizer_of_size(d / 'tokenizer.model', ARGS.vocab_size)
        for fmt in ('old', 'meta', 'hf', 'both'):
            r = child('save_child', d / fmt, fmt, d / 'tokenizer.model')
            size = weights_bytes(d / fmt, 'hf' if fmt == 'hf' else 'meta')
            what = ('save, a merged copy beside the state (before; reference)' if fmt == 'old'
                    else f"save, LoRA folded in place, save_format={fmt}")
            report(what, r['peak_bytes'], size, r['state_bytes'])
        for fmt in ('meta', 'hf'):
            report(f"load, {'Meta' if fmt == 'meta' else 'Hugging Face'} layout ({fmt})",
                   child('load_child', d / fmt)['peak_bytes'], weights_bytes(d / fmt, fmt))
