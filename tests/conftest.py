"""Shared fixtures: tiny tokenizers of both of Meta's formats, and random Meta-format checkpoints."""
import base64
import json
import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import model as M  # noqa: E402

ASSETS = Path(os.environ['ASSETS_DIR']) if os.environ.get('ASSETS_DIR') else None


def asset(relpath):
    """A file under ASSETS_DIR (shared/assets). Without ASSETS_DIR the test is skipped; with it, a
    missing file fails the test (a CI that sets ASSETS_DIR means to run these)."""
    if ASSETS is None:
        pytest.skip(f"needs ASSETS_DIR with {relpath}")
    if not (ASSETS / relpath).exists():
        pytest.fail(f"ASSETS_DIR={ASSETS} is set but lacks {relpath}")
    return ASSETS / relpath


TEXT = ("The quick brown fox jumps over the lazy dog. A river runs through the old town, and the "
        "bakers open their shops at dawn. Numbers like 12 and 345 appear too.\n") * 40


@pytest.fixture(scope='session')
def sp_tokenizer(tmp_path_factory):
    """A 300-piece SentencePiece BPE model with byte fallback, trained on English: LLaMA 2's kind."""
    import sentencepiece as spm
    d = tmp_path_factory.mktemp('sp')
    (d / 'text.txt').write_text(TEXT)
    spm.SentencePieceTrainer.train(input=str(d / 'text.txt'), model_prefix=str(d / 'tok'), vocab_size=300,
                                   model_type='bpe', byte_fallback=True, character_coverage=1.0,
                                   bos_id=1, eos_id=2, unk_id=0, pad_id=-1, minloglevel=2)
    return d / 'tok.model'


@pytest.fixture(scope='session')
def tiktoken_file(tmp_path_factory):
    """A Llama-3-format ranks file: the 256 bytes plus a few merges (Meta's is 128000 lines)."""
    merges = [b'th', b'he', b'the', b' t', b' the', b'in', b'er', b'an', b'on', b're']
    tokens = [bytes([i]) for i in range(256)] + merges
    path = tmp_path_factory.mktemp('tt') / 'tokenizer.model'
    path.write_text(''.join(f"{base64.b64encode(t).decode()} {i}\n" for i, t in enumerate(tokens)))
    return path


def tiny_args(**kw):
    base = dict(dim=64, n_layers=2, n_heads=4, vocab_size=300, multiple_of=16, norm_eps=1e-5, max_seq_len=64)
    base.update(kw)
    return M.ModelArgs(**base)


def random_model(args, seed=0):
    torch.manual_seed(seed)
    model = M.Transformer(args)
    model.init_weights(seed)
    with torch.no_grad():  # norms away from 1 so that a swapped norm weight would show
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.1)
    return model


def write_checkpoint(path, args, state, tokenizer, n_shards=1, embed_dim=1):
    """Meta's layout split into n_shards (fairscale model parallel): column-parallel weights along
    dim 0, row-parallel along dim 1, norms replicated; the embedding along dim 1 (LLaMA 1/2's
    ParallelEmbedding) or dim 0 (Llama 3's VocabParallelEmbedding)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / 'params.json').write_text(json.dumps(args.to_json()))
    column = ('wq', 'wk', 'wv', 'w1', 'w3', 'output')
    row = ('wo', 'w2')
    shards = [{} for _ in range(n_shards)]
    for name, t in state.items():
        if t.dim() == 1:
            parts = [t.clone() for _ in range(n_shards)]
        elif name.startswith('tok_embeddings'):
            parts = t.chunk(n_shards, dim=embed_dim)
        elif name.split('.')[-2] in column:
            parts = t.chunk(n_shards, dim=0)
        elif name.split('.')[-2] in row:
            parts = t.chunk(n_shards, dim=1)
        else:
            raise AssertionError(name)
        for s, p in zip(shards, parts):
            s[name] = p.clone()
    for i, s in enumerate(shards):
        torch.save(s, path / f'consolidated.{i:02d}.pth')
    if tokenizer is not None:
        (path / 'tokenizer.model').write_bytes(Path(tokenizer).read_bytes())
    return path
