"""Text -> binary token shards (+ loss masks); vocabulary extension; tokenization report.

(Skeleton: the shard format below is the interface pretrain.py, sft.py and evaluate.py read.)
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model import InputError, atomic_path

# -----------------------------------------------------------------------------------------------
# The shard format: a 32-byte header, the tokens, then (instruction shards) one loss-mask byte per
# token. Header: magic, format version, bytes per token (2 = uint16, 4 = uint32), has-mask flag,
# a reserved word, token count.
MAGIC = b'LLXSHARD'
VERSION = 1
HEADER = np.dtype([('magic', 'S8'), ('version', '<u4'), ('token_bytes', '<u4'), ('has_mask', '<u4'),
                   ('reserved', '<u4'), ('n_tokens', '<u8')])
assert HEADER.itemsize == 32


def token_dtype(vocab_size):
    """uint16 while every id fits (LLaMA 1/2's 32000), uint32 otherwise (Llama 3's 128256)."""
    return np.dtype('<u2') if vocab_size <= 1 << 16 else np.dtype('<u4')


@dataclass
class Shard:
    path: Path
    tokens: np.ndarray  # memory-mapped token ids
    mask: np.ndarray | None  # memory-mapped 0/1 per token: 1 = trained on (instruction shards only)


def write_shard(path, tokens, mask=None):
    """Write tokens (and a mask) as one shard, atomically."""
    tokens = np.asarray(tokens)
    header = np.zeros((), HEADER)
    header['magic'], header['version'] = MAGIC, VERSION
    header['token_bytes'], header['has_mask'], header['n_tokens'] = tokens.dtype.itemsize, mask is not None, len(tokens)
    with atomic_path(path) as tmp, open(tmp, 'wb') as f:
        f.write(header.tobytes())
        f.write(tokens.astype(tokens.dtype.newbyteorder('<')).tobytes())
        if mask is not None:
            assert len(mask) == len(tokens)
            f.write(np.asarray(mask, dtype=np.uint8).tobytes())


def read_shard(path):
    """Open a shard as memory maps, after checking its header and size."""
    path = Path(path)
    try:
        raw = path.read_bytes()[:HEADER.itemsize] if path.stat().st_size >= HEADER.itemsize else b''
        size = path.stat().st_size
    except OSError as e:
        raise InputError(f"{path}: cannot read this shard ({e.strerror})")
    if len(raw) < HEADER.itemsize or np.frombuffer(raw, HEADER)[0]['magic'] != MAGIC:
        raise InputError(f"{path}: not a token shard written by tokenize_prep.py")
    h = np.frombuffer(raw, HEADER)[0]
    if h['version'] != VERSION or h['token_bytes'] not in (2, 4):
        raise InputError(f"{path}: shard format version {h['version']} is not {VERSION}; re-run tokenize_prep.py")
    n, width = int(h['n_tokens']), int(h['token_bytes'])
    expected = HEADER.itemsize + n * (width + bool(h['has_mask']))
    if size != expected:
        raise InputError(f"{path}: {size} bytes but the header promises {expected}; the file is truncated "
                         "or corrupt, re-run tokenize_prep.py")
    dtype = np.dtype('<u2') if width == 2 else np.dtype('<u4')
    tokens = np.memmap(path, dtype=dtype, mode='r', offset=HEADER.itemsize, shape=(n,))
    mask = (np.memmap(path, dtype=np.uint8, mode='r', offset=HEADER.itemsize + n * width, shape=(n,))
            if h['has_mask'] else None)
    return Shard(path, tokens, mask)


def read_meta(data_dir):
    path = Path(data_dir) / 'meta.json'
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: not found; run tokenize_prep.py to write shards and meta.json")
    except ValueError as e:
        raise InputError(f"{path}: not valid JSON ({e})")
