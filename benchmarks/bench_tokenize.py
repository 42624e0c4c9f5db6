"""Tokens per second of tokenize_prep.py against a plain loop over the tokenizer's own encode.

    ASSETS_DIR=../shared/assets taskset -c 0,1 python benchmarks/bench_tokenize.py [--size_mb=16]

The reference reads the same file line by line and calls the tokenizer's own encode on each line
(SentencePiece's, or model.Tokenizer's for tiktoken; no output written); tokenize_prep.prepare reads, encodes and writes
the shard. Each run starts from the tokenizer file. Targets: at least 0.9x the reference on one worker, at least 1.7x with two workers on two
cores (taskset pins them). The runs are interleaved and the best of `repeats` counts, since a
shared machine makes single timings swing by tens of percent.
"""
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import model as M  # noqa: E402
import plumbing as P  # noqa: E402
import tokenize_prep as T  # noqa: E402

ASSETS = Path(os.environ.get('ASSETS_DIR', ROOT.parent / 'shared/assets'))
tokenizer = str(ASSETS / 'tokenizers/llama2/tokenizer.model')  # Meta's LLaMA 2 tokenizer, or any tokenizer.model
text = [str(ASSETS / f'flores200-devtest/{k}.devtest') for k in
        ('eng_Latn', 'deu_Latn', 'vie_Latn', 'tur_Latn', 'hin_Deva', 'zho_Hans')]  # repeated to size_mb
size_mb = 16  # corpus size
workers = 2  # the parallel run
repeats = 5  # best of


def reference(tokenizer_path, path):
    tok = M.Tokenizer(tokenizer_path)  # built afresh, as a run of prepare builds it (a cold tiktoken is slower)
    # tiktoken: model.Tokenizer's encode, which adds Meta's cutting of very long runs to tiktoken's
    encode = tok.sp.encode if tok.kind == 'sentencepiece' else lambda s: tok.encode(s, False, False)
    n = 0
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.removesuffix('\n')
            if line.strip():
                n += len(encode(line)) + 1  # + BOS, as in the shard
    return n


def ours(path, tokenizer_path, n_workers, out):
    cfg = P.configure(vars(T), [])
    for k, v in dict(pretrain={'xx': str(path)}, pretrain_val={}, sft={}, report={}, val_fraction=0.0,
                     workers=n_workers, out_dir=str(out)).items():
        setattr(cfg, k, v)
    with contextlib.redirect_stdout(io.StringIO()):
        return T.prepare(cfg, tokenizer_path)['shards']['xx.train.bin']['tokens']


if __name__ == '__main__':
    cfg = P.configure(globals())
    tok = M.Tokenizer(cfg.tokenizer)
    corpus = ''.join(Path(p).read_text(encoding='utf-8') for p in cfg.text)
    tmp = Path(tempfile.mkdtemp())
    path = tmp / 'corpus.txt'
    path.write_text(corpus * max(1, int(cfg.size_mb * 2**20 / len(corpus.encode()))), encoding='utf-8')
    size = path.stat().st_size
    best = {}
    try:
        for _ in range(cfg.repeats):
            for name, run in (('reference', lambda: reference(tok.path, path)),
                              ('1 worker', lambda: ours(path, tok.path, 1, tmp / 'o1')),
                              (f'{cfg.workers} workers', lambda: ours(path, tok.path, cfg.workers, tmp / 'o2'))):
                t0 = time.perf_counter()
                n = run()
                best[name] = min(best.get(name, (float('inf'), n)), (time.perf_counter() - t0, n))
    finally:
        shutil.rmtree(tmp)
    counts = {n for _, n in best.values()}
    assert len(counts) == 1, best  # every run produced the same number of tokens
    ref = best['reference'][0]
    print(f"\n{size:,} bytes, {counts.pop():,} tokens, "
          f"{len(os.sched_getaffinity(0))} cores, {tok.path}")
    for name, (t, n) in best.items():
        print(f"{name:<12}{n / t / 1e6:8.2f} M tokens/s   {ref / t:5.2f}x the reference")
