"""The LLaMA, its tokenizer, LoRA, checkpoint load/save (Meta's layout and Hugging Face's), and generation.

Hold this file beside Meta's `llama/model.py` (LLaMA 1/2) or `llama-models/models/llama3/model.py`
(Llama 3.x): the classes, fields and weight names are theirs, so a checkpoint Meta ships loads here
as is, and every checkpoint this project writes loads in Meta's code. Hugging Face's Llama layout
(config.json + safetensors) is read and written too, renamed and permuted on the way.

    python model.py --ckpt_dir=DIR --prompt="Once upon a time" --max_new_tokens=64 --temperature=0
    python model.py --ckpt_dir=DIR --export_dir=HF_DIR        # the same model in Hugging Face's layout

prints the prompt followed by its continuation (with no arguments: the demo's English base model).
"""

import ctypes
import functools
import hashlib
import json
import math
import mmap
import pickle
import re
import shutil
import struct
import warnings
from base64 import b64decode, b64encode
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Optional

import sentencepiece
import tiktoken
import torch
import torch.nn as nn
import torch.nn.functional as F

from plumbing import InputError, ReadOnly, atomic_path, check_system, check_writable, configure, lock, on_interrupt

# -----------------------------------------------------------------------------------------------
# The model: Meta's ModelArgs and module tree


@dataclass
class ModelArgs:
    # the fields of Meta's params.json, with Meta's names
    dim: int = 4096
    n_layers: int = 32
    n_heads: int = 32
    n_kv_heads: Optional[int] = None  # None: as many as n_heads (LLaMA 1/2 7B, 13B)
    vocab_size: int = -1  # -1 (LLaMA 1): the tokenizer decides
    multiple_of: int = 256  # the SwiGLU hidden size is rounded up to a multiple of this
    ffn_dim_multiplier: Optional[float] = None
    norm_eps: float = 1e-5
    rope_theta: float = 10000.0  # LLaMA 1/2 files carry no rope_theta and mean 10000; Llama 3 says 500000
    use_scaled_rope: bool = False  # Llama 3.1+: stretch the low RoPE frequencies (apply_rope_scaling)
    # Meta's llama-models reads these two names for Llama 4; Llama 3 files leave them out and its
    # reference applies factor 8 and high_freq_factor 4 to every 3.1/3.2/3.3 model.
    rope_scaling_factor: Optional[float] = None
    rope_high_freq_factor: Optional[float] = None
    # Not in params.json: Meta passes it when building; it sizes the RoPE tables and the KV cache.
    max_seq_len: int = 2048
    # Not in params.json either: what Hugging Face's config.json may say that Meta's fields cannot. The SwiGLU
    # hidden size as given (None: Meta's rule below), and the two numbers of Llama 3.1's RoPE scaling that
    # Meta's code fixes at 1 and 8192. to_json() turns them back into Meta's fields, or refuses.
    intermediate_size: Optional[int] = None
    rope_low_freq_factor: Optional[float] = None
    rope_old_context_len: Optional[int] = None

    @property
    def head_dim(self):
        return self.dim // self.n_heads

    @property
    def kv_heads(self):
        return self.n_kv_heads or self.n_heads

    @property
    def ffn_hidden_dim(self):
        # Meta's rule: 2/3 of 4*dim (SwiGLU has three matrices, not two), times the optional
        # multiplier, rounded up to a multiple of `multiple_of`.
        if self.intermediate_size is not None:
            return self.intermediate_size
        hidden = int(2 * (4 * self.dim) / 3)
        if self.ffn_dim_multiplier is not None:
            hidden = int(self.ffn_dim_multiplier * hidden)
        return self.multiple_of * ((hidden + self.multiple_of - 1) // self.multiple_of)

    @classmethod
    def from_json(cls, path):
        path = Path(path)
        try:
            params = json.loads(path.read_text())
        except FileNotFoundError:
            raise InputError(f"{path}: not found; a Meta checkpoint directory holds params.json "
                             "beside consolidated.00.pth")
        except (OSError, ValueError) as e:
            raise InputError(f"{path}: not readable JSON ({e})")
        if not isinstance(params, dict):
            raise InputError(f"{path}: not a JSON object of model settings (dim, n_layers, n_heads, ...)")
        known = {f.name for f in fields(cls)} - NOT_IN_PARAMS
        for f in fields(cls):
            value, kind = params.get(f.name), float if 'float' in str(f.type) else int if 'int' in str(f.type) else bool
            ok = (value is None and f.name not in ('dim', 'n_layers', 'n_heads')) or (
                type(value) is kind or (kind is float and type(value) is int))
            if f.name in params and not ok:
                what = {int: 'an integer', float: 'a number', bool: 'true or false'}[kind]
                raise InputError(f"{path}: {f.name} must be {what}, not {value!r}")
        for name in ('dim', 'n_layers', 'n_heads', 'multiple_of'):
            if params.get(name, 1) < 1:
                raise InputError(f"{path}: {name}={params[name]} must be 1 or more")
        unknown = sorted(set(params) - known)
        if unknown:
            warnings.warn(f"{path}: ignoring fields this model does not use: {', '.join(unknown)}")
        args = cls(**{k: v for k, v in params.items() if k in known})
        if args.dim % args.n_heads or args.n_heads % args.kv_heads:
            raise InputError(f"{path}: dim must be a multiple of n_heads, and n_heads of n_kv_heads "
                             f"(got dim={args.dim} n_heads={args.n_heads} n_kv_heads={args.n_kv_heads})")
        return args

    def to_json(self):
        """params.json: Meta's fields, the optional ones only when set (LLaMA 2's loader rejects unknown keys).
        A model read from Hugging Face's layout gets the multiple_of and ffn_dim_multiplier that give its
        hidden size by Meta's rule; what Meta's fields cannot express is refused (save in 'hf' instead)."""
        args = self
        if self.intermediate_size is not None:
            args = meta_ffn_fields(self)
        if (self.rope_low_freq_factor or 1.0) != 1.0 or (self.rope_old_context_len or 8192) != 8192:
            raise InputError(f"params.json (Meta's layout): cannot hold RoPE scaling with low_freq_factor "
                             f"{self.rope_low_freq_factor} and original context {self.rope_old_context_len} (Meta's "
                             "code fixes them at 1 and 8192); write Hugging Face's layout (save_format=hf)")
        out = {k: getattr(args, k) for k in ('dim', 'n_layers', 'n_heads', 'vocab_size', 'multiple_of', 'norm_eps')}
        for f in fields(args):
            if f.name not in out and f.name not in NOT_IN_PARAMS and getattr(args, f.name) != f.default:
                out[f.name] = getattr(args, f.name)
        return out


NOT_IN_PARAMS = {'max_seq_len', 'intermediate_size', 'rope_low_freq_factor', 'rope_old_context_len'}


def meta_ffn_fields(args):
    """`args` with intermediate_size expressed in Meta's fields: multiple_of 256 (Meta's LLaMA 1/2 value) or the
    largest power of two below it that divides the size, and no ffn_dim_multiplier when that alone gives it
    (LLaMA 2 7B/13B, TinyLlama), else the multiplier with the fewest decimals that does (1.3 for Llama 3 8B;
    1.31 for LLaMA 2 70B, whose own file says multiple_of 4096 with 1.3: the same size)."""
    hidden, base = args.intermediate_size, int(2 * (4 * args.dim) / 3)
    for multiplier in [None] + [f(hidden / base * 10**k) / 10**k for k in range(1, 9) for f in (round, math.ceil)]:
        meta = replace(args, intermediate_size=None, multiple_of=math.gcd(hidden, 256), ffn_dim_multiplier=multiplier)
        if meta.ffn_hidden_dim == hidden:
            return meta
    raise InputError(f"params.json (Meta's layout): no multiple_of and ffn_dim_multiplier give this model's hidden "
                     f"size {hidden} at dim {args.dim}; write Hugging Face's layout (save_format=hf)")


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        # Meta normalises in float32 and casts back before scaling by the weight
        return F.rms_norm(x.float(), (x.size(-1),), eps=self.eps).type_as(x) * self.weight


def apply_rope_scaling(freqs, factor=8.0, high_freq_factor=4.0, low_freq_factor=1.0, old_context_len=8192):
    """Llama 3.1's `apply_scaling` (llama-models, models/llama3/model.py): wavelengths longer than the
    original context are stretched by `factor`, short ones kept, and the band between interpolated."""
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / freqs
    scaled = torch.where(wavelen > low_freq_wavelen, freqs / factor, freqs)
    smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    between = (wavelen >= high_freq_wavelen) & (wavelen <= low_freq_wavelen)
    return torch.where(between, (1 - smooth) * scaled / factor + smooth * scaled, scaled)


def rope_tables(args, seq_len, device=None):
    """float32 cos and sin of position * frequency, (seq_len, head_dim), each value twice (one per member
    of a pair), sin signed (-sin, +sin). Meta's complex `freqs_cis` as real tables, as llama2.c has them:
    they survive distributed broadcast and torch.compile untouched."""
    d = args.head_dim
    freqs = 1.0 / (args.rope_theta ** (torch.arange(0, d, 2, device=device)[: d // 2].float() / d))
    if args.use_scaled_rope:
        freqs = apply_rope_scaling(freqs, args.rope_scaling_factor or 8.0, args.rope_high_freq_factor or 4.0,
                                   args.rope_low_freq_factor or 1.0, args.rope_old_context_len or 8192)
    angles = torch.outer(torch.arange(seq_len, device=device, dtype=torch.float32), freqs)  # (T, head_dim/2)
    return angles.cos().repeat_interleave(2, -1), torch.stack((-angles.sin(), angles.sin()), -1).flatten(-2)


def apply_rope(x, cos, sin):
    """Rotate each adjacent pair of x (B, heads, T, head_dim) in float32, as Meta does: (x[2i] cos -
    x[2i+1] sin, x[2i+1] cos + x[2i] sin). (Hugging Face rotates halves, and permutes wq, wk to match.)"""
    xf = x.float()
    swapped = xf.unflatten(-1, (-1, 2)).flip(-1).flatten(-2)  # (x[2i+1], x[2i]) in each pair
    return (xf * cos + swapped * sin).type_as(x)


class Attention(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.n_heads, self.n_kv_heads, self.head_dim = args.n_heads, args.kv_heads, args.head_dim
        self.wq = nn.Linear(args.dim, args.n_heads * self.head_dim, bias=False)
        self.wk = nn.Linear(args.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(args.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(args.n_heads * self.head_dim, args.dim, bias=False)
        self.cache_k = self.cache_v = None  # (B, n_kv_heads, max_len, head_dim) while generating

    def forward(self, x, cos, sin, start_pos=0, mask=None):
        B, T, _ = x.shape
        q = self.wq(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)  # (B, n_heads, T, head_dim)
        k = self.wk(x).view(B, T, self.n_kv_heads, self.head_dim).transpose(1, 2)  # (B, n_kv_heads, T, head_dim)
        v = self.wv(x).view(B, T, self.n_kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if self.cache_k is not None:
            self.cache_k[:B, :, start_pos:start_pos + T] = k
            self.cache_v[:B, :, start_pos:start_pos + T] = v
            k, v = self.cache_k[:B, :, :start_pos + T], self.cache_v[:B, :, :start_pos + T]
        # Grouped-query attention: each kv head serves n_heads // n_kv_heads query heads. SDPA's
        # enable_gqa spares repeating k and v, but only its flash and math kernels support it, and
        # flash takes no mask: with a mask, repeat them (Meta's repeat_kv) and let SDPA choose.
        if mask is not None and self.n_kv_heads != self.n_heads:
            k, v = (t.repeat_interleave(self.n_heads // self.n_kv_heads, dim=1) for t in (k, v))
        # Without a mask, causal from the first query (training, or a prefill at position 0); a
        # single decoded token sees the whole cache; anything else passes its mask.
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None and T > 1,
                                           enable_gqa=self.n_kv_heads != self.n_heads)  # (B, n_heads, T, head_dim)
        return self.wo(y.transpose(1, 2).reshape(B, T, -1))


class FeedForward(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.w1 = nn.Linear(args.dim, args.ffn_hidden_dim, bias=False)  # gate
        self.w2 = nn.Linear(args.ffn_hidden_dim, args.dim, bias=False)  # down
        self.w3 = nn.Linear(args.dim, args.ffn_hidden_dim, bias=False)  # up

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))  # SwiGLU


class TransformerBlock(nn.Module):
    def __init__(self, layer_id, args):
        super().__init__()
        self.layer_id = layer_id
        self.attention = Attention(args)
        self.feed_forward = FeedForward(args)
        self.attention_norm = RMSNorm(args.dim, eps=args.norm_eps)
        self.ffn_norm = RMSNorm(args.dim, eps=args.norm_eps)
        self.checkpoint = False  # recompute this block in the backward pass (pretrain.py sets it)

    def forward(self, x, cos, sin, start_pos=0, mask=None):
        if self.checkpoint and torch.is_grad_enabled():
            return torch.utils.checkpoint.checkpoint(self._forward, x, cos, sin, start_pos, mask, use_reentrant=False)
        return self._forward(x, cos, sin, start_pos, mask)

    def _forward(self, x, cos, sin, start_pos, mask):
        h = x + self.attention(self.attention_norm(x), cos, sin, start_pos, mask)
        return h + self.feed_forward(self.ffn_norm(h))


class Transformer(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.args = args  # Meta calls it `params`
        self.tok_embeddings = nn.Embedding(args.vocab_size, args.dim)
        self.layers = nn.ModuleList(TransformerBlock(i, args) for i in range(args.n_layers))
        self.norm = RMSNorm(args.dim, eps=args.norm_eps)
        self.output = nn.Linear(args.dim, args.vocab_size, bias=False)
        cos, sin = rope_tables(args, args.max_seq_len)
        self.register_buffer('rope_cos', cos, persistent=False)
        self.register_buffer('rope_sin', sin, persistent=False)

    def forward(self, tokens, start_pos=0, mask=None):
        """tokens (B, T) -> float32 logits (B, T, vocab). `start_pos` is the position of tokens[:, 0]
        (non-zero while decoding with the KV cache); `mask` is an optional (B or 1, 1, T, start_pos+T)
        boolean attention mask, True where attention is allowed."""
        T = tokens.size(1)
        if start_pos + T > self.rope_cos.size(0):
            raise ValueError(f"position {start_pos + T} is past max_seq_len={self.args.max_seq_len}")
        assert self.rope_cos.dtype == torch.float32, "RoPE tables were cast; call model.init_rope()"
        cos, sin = self.rope_cos[start_pos:start_pos + T], self.rope_sin[start_pos:start_pos + T]
        h = self.tok_embeddings(tokens)
        for layer in self.layers:
            h = layer(h, cos, sin, start_pos, mask)
        return self.output(self.norm(h)).float()

    def init_rope(self, device=None):
        """(Re)compute the float32 RoPE tables: after building on the meta device, or after .to(dtype)."""
        device = device or self.tok_embeddings.weight.device
        self.rope_cos, self.rope_sin = rope_tables(self.args, self.args.max_seq_len, device)

    def init_weights(self, seed=0):
        """For a model trained from scratch: N(0, 0.02) everywhere, the two projections that write
        into the residual stream scaled by 1/sqrt(2 * n_layers) (GPT-2; nanoGPT's model.py)."""
        g = torch.Generator().manual_seed(seed)
        for name, p in self.named_parameters():
            if p.dim() == 1:
                nn.init.ones_(p)
            else:
                std = 0.02 / math.sqrt(2 * self.args.n_layers) if name.endswith(('wo.weight', 'w2.weight')) else 0.02
                p.data.copy_(torch.randn(p.shape, generator=g) * std)

    @property
    def tied(self):
        return self.output.weight is self.tok_embeddings.weight

    def setup_cache(self, batch_size, max_len):
        if max_len > self.args.max_seq_len:
            raise ValueError(f"a KV cache of {max_len} positions is past max_seq_len={self.args.max_seq_len}")
        w = self.tok_embeddings.weight
        for layer in self.layers:
            a = layer.attention
            shape = (batch_size, a.n_kv_heads, max_len, a.head_dim)
            a.cache_k = torch.zeros(shape, dtype=w.dtype, device=w.device)
            a.cache_v = torch.zeros(shape, dtype=w.dtype, device=w.device)

    def reorder_cache(self, index):
        """Keep cache rows `index` (beam search)."""
        for layer in self.layers:
            a = layer.attention
            a.cache_k, a.cache_v = a.cache_k[index], a.cache_v[index]

    def clear_cache(self):
        for layer in self.layers:
            layer.attention.cache_k = layer.attention.cache_v = None


# -----------------------------------------------------------------------------------------------
# Tokenizer: Meta's two formats behind one interface


# Llama 3's split regex and special tokens (llama-models, models/llama3/tokenizer.py). The 3.1 names
# replace some of 3.0's reserved ones; the ids are the same.
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_SPECIAL = ['<|begin_of_text|>', '<|end_of_text|>', '<|reserved_special_token_0|>',
                  '<|reserved_special_token_1|>', '<|finetune_right_pad_id|>', '<|step_id|>',
                  '<|start_header_id|>', '<|end_header_id|>', '<|eom_id|>', '<|eot_id|>',
                  '<|python_tag|>', '<|image|>']
LLAMA3_SPECIAL += [f'<|reserved_special_token_{i}|>' for i in range(2, 256 - len(LLAMA3_SPECIAL) + 2)]
# tiktoken can fail on very long runs (openai/tiktoken#195); Meta encodes at most 400k characters
# at a time and cuts any run of more than 25k whitespace or non-whitespace characters.
TIKTOKEN_MAX_CHARS, TIKTOKEN_MAX_RUN = 400_000, 25_000
LONG_RUN = re.compile(r'\s{%d,}|\S{%d,}' % (TIKTOKEN_MAX_RUN + 1, TIKTOKEN_MAX_RUN + 1))


class Tokenizer:
    """SentencePiece (LLaMA 1/2, and vocabularies extended from them) or byte-level BPE ranks (Llama 3.x),
    told apart by the file's content: Meta's tiktoken file is lines of `base64-token rank`, Hugging
    Face's tokenizer.json a JSON object (read_hf_ranks). `digest` is its identity: the same vocabulary
    in either file is the same tokenizer; `sha256` is only the file's."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except OSError as e:
            raise InputError(f"{path}: cannot read the tokenizer ({e.strerror})")
        self.sha256 = hashlib.sha256(data).hexdigest()
        if data.lstrip()[:1] in (b'{', b'['):  # JSON (a SentencePiece model starts with byte 0x0a)
            self._init_ranks(*read_hf_ranks(self.path, data))
        elif re.match(rb'[A-Za-z0-9+/]+=* \d+\r?\n', data):
            try:
                ranks = {b64decode(token): int(rank)
                         for token, rank in (line.split() for line in data.splitlines() if line)}
            except ValueError:
                raise InputError(f"{self.path}: a line is not `base64-token rank`")
            self._init_ranks(ranks)
        else:
            self._init_sentencepiece(data)

    def _init_sentencepiece(self, data):
        self.kind = 'sentencepiece'
        self.sp = sentencepiece.SentencePieceProcessor()
        try:
            self.sp.LoadFromSerializedProto(data)
        except (RuntimeError, OSError, TypeError):
            raise InputError(f"{self.path}: neither a SentencePiece model nor a tiktoken ranks file")
        self.n_words = self.sp.vocab_size()
        self.bos_id, self.eos_id = self.sp.bos_id(), self.sp.eos_id()
        self.stop_tokens = (self.eos_id,)

    def _init_ranks(self, ranks, file_special=None):
        self.kind = 'tiktoken'
        # Meta gives the 256 special tokens the ids after the file's ranks (len(ranks) + i). A vocabulary
        # extended by tokenize_prep.py keeps them where they were: its new ranks start 256 past Meta's
        # last one, so the specials go in the first gap of the ranks, which is len(ranks) for Meta's file.
        ids = sorted(ranks.values())
        start = next((i for i, r in enumerate(ids) if r != i), len(ids))
        self.special = {tok: start + i for i, tok in enumerate(LLAMA3_SPECIAL)}
        self.n_words = len(ranks) + len(self.special)
        after = ids[start:]  # the ranks past the gap: they must start after the specials
        if len(set(ids)) != len(ids) or ids[-1] >= self.n_words or after and after[0] < start + len(self.special):
            raise InputError(f"{self.path}: the ranks repeat or leave holes other than one of {len(self.special)} "
                             "for the special tokens; use Meta's file or one tokenize_prep.py wrote")
        # tokenizer.json names its specials itself: they must be Llama 3's ids (names differ between 3.0 and 3.1)
        if file_special is not None and (sorted(file_special.values()) != sorted(self.special.values()) or any(
                file_special.get(t) != self.special[t] for t in ('<|begin_of_text|>', '<|end_of_text|>'))):
            raise InputError(f"{self.path}: its added tokens are not Llama 3's 256 special tokens at ids "
                             f"{start}-{start + 255} (<|begin_of_text|> first); this project reads Llama 3's")
        self.ranks = ranks
        self.model = tiktoken.Encoding(name=self.path.name, pat_str=LLAMA3_PATTERN,
                                       mergeable_ranks=ranks, special_tokens=self.special)
        self.bos_id, self.eos_id = self.special['<|begin_of_text|>'], self.special['<|end_of_text|>']
        self.stop_tokens = (self.eos_id, self.special['<|eom_id|>'], self.special['<|eot_id|>'])

    @functools.cached_property
    def digest(self):
        """sha256 of what decides the ids: the ranks (with Llama 3's split pattern), or each piece with its
        score and type; and the special ids. Meta's tokenizer.model and the tokenizer.json save_hf_tokenizer
        writes for it have the same digest (the files' sha256 differ)."""
        h = hashlib.sha256()
        if self.kind == 'tiktoken':
            h.update(f'byte-level BPE {LLAMA3_PATTERN}\n'.encode())
            h.update(tiktoken_file_bytes(self.ranks))
        else:
            sp = self.sp
            types = ((sp.is_byte, 'byte'), (sp.is_control, 'control'), (sp.is_unknown, 'unknown'),
                     (sp.is_unused, 'unused'))
            for i in range(self.n_words):
                kind = next((name for is_type, name in types if is_type(i)), 'normal')
                h.update(f'{sp.id_to_piece(i)}\t{sp.get_score(i)!r}\t{kind}\n'.encode())
        h.update(f'bos {self.bos_id} eos {self.eos_id} stop {sorted(self.stop_tokens)}\n'.encode())
        return h.hexdigest()

    def encode(self, text, bos, eos):
        if self.kind == 'sentencepiece':
            ids = self.sp.encode(text)
        else:  # special-token text is encoded as plain text, as Meta's default does
            ids = []
            for piece in self._tiktoken_pieces(text):
                ids += self.model.encode_ordinary(piece)
        return [self.bos_id] * bos + ids + [self.eos_id] * eos

    def decode(self, ids):
        ids = [int(i) for i in ids]
        return self.sp.decode(ids) if self.kind == 'sentencepiece' else self.model.decode(ids)

    def token_bytes(self, i):
        """The bytes token i stands for in decoded text (b'' for control and special tokens); a
        SentencePiece byte-fallback piece `<0xNN>` is that one byte, and its word mark '▁' a space."""
        if self.kind == 'tiktoken':
            return b'' if i in self.special.values() else self.model.decode_single_token_bytes(i)
        if self.sp.is_byte(i):
            return bytes([int(self.sp.id_to_piece(i)[3:5], 16)])
        if self.sp.is_control(i) or self.sp.is_unknown(i):
            return b''
        return self.sp.id_to_piece(i).replace('\u2581', ' ').encode()

    @staticmethod
    def _tiktoken_pieces(text):
        for i in range(0, len(text), TIKTOKEN_MAX_CHARS):
            chunk = text[i:i + TIKTOKEN_MAX_CHARS]
            start = 0
            for run in LONG_RUN.finditer(chunk):  # rare: cut every TIKTOKEN_MAX_RUN characters
                for cut in range(run.start() + TIKTOKEN_MAX_RUN, run.end(), TIKTOKEN_MAX_RUN):
                    yield chunk[start:cut]
                    start = cut
            yield chunk[start:]


def bpe(ranks, parts):
    """Byte-level BPE as tiktoken runs it on one pre-split piece: merge the adjacent pair whose
    concatenation has the lowest rank (the leftmost of equals) until no pair makes a token. `parts`
    is a list of bytes: single bytes, or a piece's tokens to continue merging from."""
    parts = list(parts)
    while len(parts) > 1:
        best, at = None, 0
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and (best is None or r < best):
                best, at = r, i
        if best is None:
            break
        parts[at:at + 2] = [parts[at] + parts[at + 1]]
    return parts


# -----------------------------------------------------------------------------------------------
# Hugging Face's tokenizer.json: read (byte-level BPE) and write (both kinds)


def _byte_chars():
    """GPT-2's bytes_to_unicode (openai/gpt-2 encoder.py), which byte-level BPE vocabularies are written
    in: each byte is a printable character, itself for the printable ASCII and Latin-1 ones."""
    printable = [*range(ord('!'), ord('~') + 1), *range(ord('¡'), ord('¬') + 1), *range(ord('®'), ord('ÿ') + 1)]
    others = [b for b in range(256) if b not in printable]
    return {**{b: chr(b) for b in printable}, **{b: chr(256 + i) for i, b in enumerate(others)}}


BYTE_CHARS = _byte_chars()
# str.translate tables: bytes read as latin-1 -> byte-level text, and back (other characters to one latin-1 lacks)
TO_BYTE_LEVEL = str.maketrans({b: c for b, c in BYTE_CHARS.items()})
FROM_BYTE_LEVEL = str.maketrans({**{o: '\uffff' for o in range(256)}, **{c: chr(b) for b, c in BYTE_CHARS.items()}})


def tiktoken_file_bytes(ranks):
    """{token bytes: rank} as Meta's tiktoken file: `base64-token rank` lines in rank order."""
    return ''.join(f'{b64encode(t).decode()} {r}\n' for t, r in sorted(ranks.items(), key=lambda kv: kv[1])).encode()


def read_hf_ranks(path, data):
    """({token bytes: rank}, {special token: id}) of a Hugging Face tokenizer.json of byte-level BPE with
    Llama 3's split (what transformers' TikTokenConverter writes for Llama 3): its vocabulary ids are the
    ranks. Anything else is refused: a SentencePiece-converted one (Metaspace, byte fallback) is read from
    the tokenizer.model beside it, and a WordPiece or Unigram one is no LLaMA's."""
    try:
        spec = json.loads(data)
    except ValueError as e:
        raise InputError(f"{path}: not readable JSON ({e})")
    model = spec.get('model') if isinstance(spec, dict) else None
    pre = (spec.get('pre_tokenizer') or {}) if isinstance(model, dict) else {}
    steps = pre.get('pretokenizers', []) if pre.get('type') == 'Sequence' else [pre]
    kinds = [s.get('type') for s in steps]
    if not isinstance(model, dict) or model.get('type') != 'BPE' or 'ByteLevel' not in kinds:
        what = model.get('type') if isinstance(model, dict) else 'no model'
        steps = '+'.join(filter(None, kinds)) or 'none'
        raise InputError(f"{path}: not byte-level BPE (model {what}, pre-tokenizer {steps}); give the "
                         "tokenizer.model beside it (SentencePiece), or a Llama 3 tokenizer.json")
    split = [s.get('pattern', {}).get('Regex') for s in steps if s.get('type') == 'Split']
    if spec.get('normalizer') or split != [LLAMA3_PATTERN] or any(s.get('use_regex') for s in steps):
        raise InputError(f"{path}: byte-level BPE, but it does not split text as Llama 3 does (normalizer, split "
                         "pattern); this project encodes with Llama 3's pattern")
    vocab, special = model.get('vocab') or {}, {t['content']: t['id'] for t in spec.get('added_tokens', [])}
    try:
        ranks = {t.translate(FROM_BYTE_LEVEL).encode('latin-1'): r for t, r in vocab.items() if t not in special}
    except UnicodeEncodeError:
        raise InputError(f"{path}: a vocabulary entry is not written in byte-level characters (GPT-2's byte map)")
    # HF merges by the merge list's order, tiktoken by rank: they agree when each merge makes a token
    # ranked no lower than the merge before it (TikTokenConverter lists them so)
    last = -1
    for merge in model.get('merges', []):
        a, b = merge.split(' ') if isinstance(merge, str) else merge
        rank = vocab.get(a + b)
        if rank is None or rank < last:
            raise InputError(f"{path}: merge {a} {b} is out of rank order or makes no token; its merges and "
                             "vocabulary ids disagree, so it would not encode as its ranks do")
        last = rank
    return ranks, special


def _template(bos, bos_id):
    """HF's post-processor that puts BOS before the text (and before each text of a pair)."""
    single = [{'SpecialToken': {'id': bos, 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}]
    pair = single + [{'SpecialToken': {'id': bos, 'type_id': 1}}, {'Sequence': {'id': 'B', 'type_id': 1}}]
    return {'type': 'TemplateProcessing', 'single': single, 'pair': pair,
            'special_tokens': {bos: {'id': bos, 'ids': [bos_id], 'tokens': [bos]}}}


def _added(tokens):
    """HF's added_tokens for {special token: id}: matched whole in the text, never normalized."""
    return [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': False,
             'special': True} for t, i in sorted(tokens.items(), key=lambda kv: kv[1])]


def _hf_byte_level(tok):
    """Llama 3's tokenizer.json as transformers' TikTokenConverter writes it: the ranks as vocabulary ids,
    every split of a token into two tokens as a merge, in the rank order of what it makes (HF applies the
    earliest merge first, tiktoken the lowest rank), and whole words looked up first (ignore_merges), as
    tiktoken does. The specials are in the vocabulary too: tokenizers numbers an added token that is not
    after the vocabulary's last id, so without them an extended vocabulary's BOS would move."""
    ranks, merges = tok.ranks, []
    for token, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
        splits = [(token[:k], token[k:]) for k in range(1, len(token)) if token[:k] in ranks and token[k:] in ranks]
        merges += sorted(splits, key=lambda ab: (ranks[ab[0]], ranks[ab[1]]))
    text = {t: t.decode('latin-1').translate(TO_BYTE_LEVEL) for t in ranks}
    byte_level = {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': False}
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': _added(tok.special),
        'normalizer': None,
        'pre_tokenizer': {'type': 'Sequence', 'pretokenizers': [
            {'type': 'Split', 'pattern': {'Regex': LLAMA3_PATTERN}, 'behavior': 'Isolated', 'invert': False},
            byte_level]},
        'post_processor': _template('<|begin_of_text|>', tok.bos_id), 'decoder': byte_level,
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': None,
                  'end_of_word_suffix': None, 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': True,
                  'vocab': {**{text[t]: r for t, r in ranks.items()}, **tok.special},
                  'merges': [[text[a], text[b]] for a, b in merges]}}


def _hf_sentencepiece(tok):
    """LLaMA 2's tokenizer.json as transformers' LlamaConverter writes it (legacy=True, as in Meta's Llama-2-hf
    repositories): BPE with byte fallback; merges, every split of a piece into two, by the piece's score,
    highest first (SentencePiece merges by score; transformers' generate_merges orders them so); text
    prefixed with '▁' and its spaces made '▁' by the normalizer. (Its non-legacy Metaspace pre-tokenizer
    adds no '▁' before text that starts with a space, where SentencePiece does: other ids.)"""
    sp, n = tok.sp, tok.n_words
    probe = ' a  ﬁ２ '  # LLaMA's normalizer keeps this as it is; NFKC or whitespace folding would not
    if sp.normalize(probe) != '▁' + probe.replace(' ', '▁'):  # a warning: refusing would lose a finished run's save
        warnings.warn(f"{tok.path}: its normalizer is not LLaMA's (identity, spaces kept, a '▁' prefix); the "
                      "tokenizer.json written for it gives other ids on text that normalizer changes")
    pieces = [sp.id_to_piece(i) for i in range(n)]
    normal = {p: i for i, p in enumerate(pieces) if not (sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i))}
    merges = []
    for piece, i in normal.items():
        splits = [(piece[:k], piece[k:], sp.get_score(i)) for k in range(1, len(piece))
                  if piece[:k] in normal and piece[k:] in normal]
        merges += sorted(splits, key=lambda m: (normal[m[0]], normal[m[1]]))
    merges.sort(key=lambda m: (-m[2], -len(m[0]), -len(m[1])))  # generate_merges' order (a stable sort)
    specials = {pieces[i]: i for i in range(n) if sp.is_control(i) or sp.is_unknown(i)}
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': _added(specials),
        'normalizer': {'type': 'Sequence', 'normalizers': [
            {'type': 'Prepend', 'prepend': '▁'}, {'type': 'Replace', 'pattern': {'String': ' '}, 'content': '▁'}]},
        'pre_tokenizer': None, 'post_processor': _template(pieces[tok.bos_id], tok.bos_id),
        'decoder': {'type': 'Sequence', 'decoders': [
            {'type': 'Replace', 'pattern': {'String': '▁'}, 'content': ' '}, {'type': 'ByteFallback'},
            {'type': 'Fuse'}, {'type': 'Strip', 'content': ' ', 'start': 1, 'stop': 0}]},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': pieces[sp.unk_id()], 'continuing_subword_prefix': None,
                  'end_of_word_suffix': None, 'fuse_unk': True, 'byte_fallback': any(map(sp.is_byte, range(n))),
                  'ignore_merges': False, 'vocab': {p: i for i, p in enumerate(pieces)},
                  'merges': [[a, b] for a, b, _ in merges]}}


def save_hf_tokenizer(tokenizer, out_dir):
    """Hugging Face's tokenizer files in out_dir (a checkpoint folder being written): tokenizer.json, which
    transformers' AutoTokenizer loads as it is (PreTrainedTokenizerFast: nothing converted at load time)
    to the ids of tokenizer.encode(text, bos=True, eos=False), BOS first as training and generation use it,
    and tokenizer_config.json; for SentencePiece also its tokenizer.model. One difference: HF reads
    special-token text in the input ('<s>', '<|eot_id|>') as the special token, model.py as text, as
    Meta's code does by default. Reading the folder back (find_tokenizer, Tokenizer) gives the same digest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if tokenizer.kind == 'tiktoken':
        spec, names = _hf_byte_level(tokenizer), {'bos_token': '<|begin_of_text|>', 'eos_token': '<|end_of_text|>'}
    else:
        sp = tokenizer.sp
        spec = _hf_sentencepiece(tokenizer)
        names = {'bos_token': sp.id_to_piece(sp.bos_id()), 'eos_token': sp.id_to_piece(sp.eos_id()),
                 'unk_token': sp.id_to_piece(sp.unk_id())}
        shutil.copyfile(tokenizer.path, out_dir / 'tokenizer.model')
    config = {'tokenizer_class': 'PreTrainedTokenizerFast', **names, 'add_bos_token': True, 'add_eos_token': False,
              'clean_up_tokenization_spaces': False}
    (out_dir / 'tokenizer.json').write_text(json.dumps(spec, ensure_ascii=False) + '\n')
    (out_dir / 'tokenizer_config.json').write_text(json.dumps(config, indent=2, ensure_ascii=False) + '\n')


# Alpaca's prompt (Taori et al. 2023, stanford_alpaca train.py PROMPT_DICT). x-LLaMA (NJUNLP/x-LLM
# train.py) and COMMIT wrap every language, code-mixed text included, in this English template.
PROMPT_TEMPLATES = {
    'alpaca': {
        'prompt_input': ("Below is an instruction that describes a task, paired with an input that provides "
                         "further context. Write a response that appropriately completes the request.\n\n"
                         "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"),
        'prompt_no_input': ("Below is an instruction that describes a task. Write a response that "
                            "appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:"),
    },
    # no template: the instruction (and input) alone, for models tuned on bare text
    'none': {'prompt_input': "{instruction}\n{input}\n", 'prompt_no_input': "{instruction}\n"},
}


def format_prompt(instruction, input='', template='alpaca'):
    if template not in PROMPT_TEMPLATES:
        raise InputError(f"unknown template {template!r}; choose one of {', '.join(PROMPT_TEMPLATES)}")
    t = PROMPT_TEMPLATES[template]
    return (t['prompt_input'] if input else t['prompt_no_input']).format(instruction=instruction, input=input)


# -----------------------------------------------------------------------------------------------
# Checkpoints: Meta's layout (params.json + consolidated.NN.pth, model-parallel shards merged) and
# Hugging Face's (config.json + model*.safetensors), read and written


def checkpoint_layout(ckpt_dir):
    """'meta' (params.json) or 'hf' (config.json) by the files present, None for neither. Meta's wins when both
    are there: save_format=both writes the same weights in each, for other tools to read theirs."""
    d = Path(ckpt_dir)
    return 'meta' if (d / 'params.json').is_file() else 'hf' if (d / 'config.json').is_file() else None


def find_tokenizer(ckpt_dir, tokenizer_path=''):
    """An explicit file or folder, else the checkpoint directory's tokenizer, else tokenizer.model in its
    parent (LLaMA 1/2 downloads keep one beside the size folders). In a folder, tokenizer.model (Meta's
    layout, and SentencePiece in Hugging Face's) comes before tokenizer.json (Hugging Face's Llama 3)."""
    def in_folder(d):
        return next((d / name for name in ('tokenizer.model', 'tokenizer.json') if (d / name).is_file()), None)
    if tokenizer_path:
        path = Path(tokenizer_path)
        found = in_folder(path) if path.is_dir() else path if path.is_file() else None
        if found is None:
            raise InputError(f"{tokenizer_path}: no tokenizer file here (nor tokenizer.model or tokenizer.json in it); "
                             "give Meta's tokenizer.model or a Hugging Face model folder")
        return found
    found = in_folder(Path(ckpt_dir))
    if found is None and (Path(ckpt_dir).parent / 'tokenizer.model').is_file():
        found = Path(ckpt_dir).parent / 'tokenizer.model'
    if found is None:
        raise InputError(f"{ckpt_dir}: no tokenizer.model or tokenizer.json here, nor tokenizer.model in the parent "
                         "directory; set tokenizer_path to Meta's tokenizer.model")
    return found


def torch_reason(e):
    """The telling line of a torch.load error: the weights-only unpickler's verdict, if any."""
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    verdict = [line for line in lines if line.startswith('WeightsUnpickler error')]
    return (verdict or lines or [type(e).__name__])[0][:160]


def read_consolidated(path, remedy='re-save it as a dict of tensors: this project never unpickles code', mmap=True):
    """A dict torch.save wrote (consolidated.NN.pth; pretrain.py's train_state.pth), memory-mapped, through
    the weights-only unpickler: it never runs code from the file. `remedy` ends each error line."""
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols before refusing a file
            warnings.simplefilter('ignore', UserWarning)
            try:
                state = torch.load(path, map_location='cpu', mmap=mmap, weights_only=True)
            except RuntimeError as e:  # torch's legacy (pre-1.6) format cannot be memory-mapped
                if '_use_new_zipfile_serialization' not in str(e):
                    raise
                state = torch.load(path, map_location='cpu', weights_only=True)
    except FileNotFoundError:
        raise InputError(f"{path}: missing; {remedy}")
    except pickle.UnpicklingError as e:  # the weights-only unpickler refusing an object
        raise InputError(f"{path}: holds more than plain tensors ({torch_reason(e)}); {remedy}")
    except Exception as e:
        raise InputError(f"{path}: not a readable PyTorch checkpoint ({torch_reason(e)}); {remedy}")
    if not isinstance(state, dict):
        raise InputError(f"{path}: expected a dict of tensors; {remedy}")
    return state


def merge_shard_pieces(pieces, shape):
    """One tensor from its model-parallel pieces, by shape alone: replicated (norms), or concatenated
    along the one dim that adds up (dim 0 for wq wk wv w1 w3 output and Llama 3's tok_embeddings,
    dim 1 for wo w2 and LLaMA 1/2's tok_embeddings). None if no dim fits."""
    if len(pieces) == 1:
        return pieces[0] if pieces[0].shape == shape else None  # used in place, memory-mapped
    if all(p.shape == shape for p in pieces):
        merged = pieces[0].clone()  # replicated: keep one copy (a view would pin its whole shard)
    else:
        merged = next((torch.cat(pieces, dim=d) for d in range(len(shape))
                       if sum(p.shape[d] for p in pieces) == shape[d]
                       and all(p.shape[:d] + p.shape[d + 1:] == shape[:d] + shape[d + 1:] for p in pieces)), None)
    for p in pieces:
        release_pages(p)
    return merged


def release_pages(t):
    """Give back the pages of a memory-mapped tensor already copied elsewhere (the mapping is private and
    only read: the kernel drops them; they refault from the file if touched). Without this, merging shards
    keeps the pieces and the merged tensor resident: twice the model. Linux and macOS; elsewhere a no-op."""
    if not hasattr(mmap, 'MADV_DONTNEED') or t.numel() == 0:
        return
    start = t.data_ptr() // mmap.PAGESIZE * mmap.PAGESIZE
    end = t.data_ptr() + t.numel() * t.element_size()
    ctypes.CDLL(None).madvise(ctypes.c_void_p(start), ctypes.c_size_t(end - start), mmap.MADV_DONTNEED)


def read_weights(ckpt_dir, args):
    """{Meta name: tensor} for the model `args` describes, from either layout, memory-mapped (a missing
    `output.weight` means the output is tied to the embedding)."""
    return read_hf_weights(ckpt_dir, args) if checkpoint_layout(ckpt_dir) == 'hf' else read_meta_weights(ckpt_dir, args)


def read_meta_weights(ckpt_dir, args):
    """{Meta name: tensor} for the model `args` describes, merged tensor by tensor from every
    consolidated.NN.pth, so memory peaks near one copy of the weights. `rope.freqs` (LLaMA 1) is
    dropped; a missing `output.weight` means the output is tied to the embedding (Llama 3.2 1B/3B)."""
    paths = sorted(Path(ckpt_dir).glob('consolidated.*.pth'))
    if not paths:
        raise InputError(f"{ckpt_dir}: no consolidated.*.pth files; point ckpt_dir at a Meta checkpoint directory")
    shards = [read_consolidated(p) for p in paths]
    with torch.device('meta'):
        expected = {k: v.shape for k, v in Transformer(args).state_dict().items()}
    if 'output.weight' not in shards[0]:
        del expected['output.weight']
    unexpected = sorted(set(shards[0]) - set(expected) - {'rope.freqs'})
    if unexpected:
        raise InputError(f"{paths[0]}: tensors this model does not have: {', '.join(unexpected[:4])}; "
                         "is params.json the one that came with it?")
    state = {}
    for name, shape in expected.items():
        for p, s in zip(paths, shards):
            if not isinstance(s.get(name), torch.Tensor):
                raise InputError(f"{p}: tensor {name} is missing (or not a tensor)")
        merged = merge_shard_pieces([s[name] for s in shards], shape)
        if merged is None:
            got = ' + '.join(str(tuple(s[name].shape)) for s in shards)
            raise InputError(f"{paths[0]}: {name} has shape {got} but params.json implies {tuple(shape)}")
        state[name] = merged
    return state


# Hugging Face's names for Meta's (transformers' convert_llama_weights_to_hf.py writes the same table)
HF_NAMES = {'tok_embeddings': 'model.embed_tokens', 'norm': 'model.norm', 'output': 'lm_head',
            'attention.wq': 'self_attn.q_proj', 'attention.wk': 'self_attn.k_proj', 'attention.wv': 'self_attn.v_proj',
            'attention.wo': 'self_attn.o_proj', 'feed_forward.w1': 'mlp.gate_proj', 'feed_forward.w2': 'mlp.down_proj',
            'feed_forward.w3': 'mlp.up_proj', 'attention_norm': 'input_layernorm',
            'ffn_norm': 'post_attention_layernorm'}
SAFETENSORS_DTYPES = {torch.float32: 'F32', torch.bfloat16: 'BF16', torch.float16: 'F16', torch.float64: 'F64'}
# Ours: shards of at most 5 GB, transformers 4's save_pretrained default and the size of the shards in Meta's
# own Llama 3 repositories on the Hub: a 7B model is 3 files that download and resume separately.
# transformers 5 writes one file up to 50 GB, which fewer file systems and HTTP clients handle well.
SHARD_BYTES = 5 * 10**9


def hf_name(name):
    """'layers.3.attention.wq.weight' -> 'model.layers.3.self_attn.q_proj.weight'"""
    if name.startswith('layers.'):
        _, i, rest = name.split('.', 2)
        return f"model.layers.{i}.{HF_NAMES[rest.removesuffix('.weight')]}.weight"
    return HF_NAMES[name.removesuffix('.weight')] + '.weight'


def rotate_half_order(w, n_heads, inverse=False):
    """wq/wk rows from Meta's RoPE order to Hugging Face's (inverse: back). Meta rotates adjacent pairs (x[2i],
    x[2i+1]), HF rotates halves (x[i], x[i + head_dim/2]): in each head, Meta's row 2i+j is HF's row
    j*head_dim/2 + i. Forward: transformers' convert_llama_weights_to_hf.py `permute`; inverse: torchtune's
    convert_weights `_permute`. A copy of one matrix."""
    out_dim, in_dim = w.shape
    half = out_dim // n_heads // 2
    if inverse:
        return w.view(n_heads, 2, half, in_dim).transpose(1, 2).reshape(out_dim, in_dim)  # via (heads, half, 2, in)
    return w.view(n_heads, half, 2, in_dim).transpose(1, 2).reshape(out_dim, in_dim)  # via (heads, 2, half, in)


def read_hf_config(ckpt_dir):
    """(ModelArgs, tied output) from a Hugging Face Llama's config.json. Anything model.py does not compute
    (another model_type, biases, a sliding window, another RoPE scaling) is refused, in one line saying what."""
    path = Path(ckpt_dir) / 'config.json'
    try:
        c = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: not readable JSON ({e})")
    if not isinstance(c, dict):
        raise InputError(f"{path}: not a JSON object of model settings (hidden_size, num_hidden_layers, ...)")
    # transformers 4 (and the Hub's Llama 3.x files) write rope_theta and rope_scaling; transformers 5 writes
    # rope_parameters holding both
    rope = c.get('rope_scaling') or c.get('rope_parameters') or {}
    rope_type = rope.get('rope_type', rope.get('type', 'default')) if isinstance(rope, dict) else rope

    def refuse(what):
        raise InputError(f"{path}: {what}: not the Llama model.py computes (LlamaForCausalLM: model_type llama, no "
                         "biases, no sliding window, RoPE default or llama3); convert it or choose a Llama")

    for bad, what in [(c.get('model_type') != 'llama', f"model_type {c.get('model_type')!r}"),
                      (c.get('attention_bias') is True, 'attention_bias true'),
                      (c.get('mlp_bias') is True, 'mlp_bias true'),
                      (c.get('sliding_window') is not None, f"sliding_window {c.get('sliding_window')}"),
                      (c.get('hidden_act', 'silu') != 'silu', f"hidden_act {c.get('hidden_act')!r}"),
                      (rope_type not in ('default', 'llama3'), f"rope_scaling of type {rope_type!r}")]:
        if bad:
            refuse(what)

    def number(key, kind=int, default=None, where=c):
        value = where.get(key, default)
        if not (type(value) is int or kind is float and type(value) is float) or value <= 0:
            what = 'integer' if kind is int else 'number'
            raise InputError(f"{path}: {key} must be a positive {what}, not {value!r}")
        return kind(value)

    args = ModelArgs(dim=number('hidden_size'), n_layers=number('num_hidden_layers'),
                     n_heads=number('num_attention_heads'), vocab_size=number('vocab_size'),
                     n_kv_heads=number('num_key_value_heads', default=c.get('num_attention_heads')),
                     norm_eps=number('rms_norm_eps', float, 1e-6),  # LlamaConfig's default
                     rope_theta=number('rope_theta', float, rope.get('rope_theta', 10000.0)),
                     intermediate_size=number('intermediate_size'))
    if args.kv_heads == args.n_heads:
        args.n_kv_heads = None  # Meta's way of saying it
    if rope_type == 'llama3':  # Meta's defaults stay None, so a Llama 3.1 params.json comes out as Meta's
        factor, low, high = (number(k, float, where=rope) for k in ('factor', 'low_freq_factor', 'high_freq_factor'))
        old = number('original_max_position_embeddings', where=rope)
        args = replace(args, use_scaled_rope=True, rope_scaling_factor=None if factor == 8 else factor,
                       rope_high_freq_factor=None if high == 4 else high,
                       rope_low_freq_factor=None if low == 1 else low,
                       rope_old_context_len=None if old == 8192 else old)
    if args.dim % args.n_heads or args.n_heads % args.kv_heads or args.head_dim % 2:
        raise InputError(f"{path}: hidden_size must be a multiple of num_attention_heads, and that of "
                         f"num_key_value_heads, with an even head size (got {args.dim}, {args.n_heads}, "
                         f"{args.kv_heads})")
    if c.get('head_dim') not in (None, args.head_dim):
        refuse(f"head_dim {c['head_dim']}, not hidden_size / num_attention_heads = {args.head_dim}")
    tied = c.get('tie_word_embeddings', False)  # LlamaConfig's default
    if type(tied) is not bool:
        raise InputError(f"{path}: tie_word_embeddings must be true or false, not {tied!r}")
    return args, tied


def open_safetensors(ckpt_dir):
    """(name -> file, file -> open safe_open handle) of the *.safetensors in ckpt_dir, after
    model.safetensors.index.json when there is one. Nothing is read yet: the files are memory-mapped."""
    from safetensors import safe_open
    d = Path(ckpt_dir)
    index = d / 'model.safetensors.index.json'
    if index.is_file():
        try:
            weight_map = json.loads(index.read_text())['weight_map']
            assert isinstance(weight_map, dict) and all(isinstance(v, str) for v in weight_map.values())
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            raise InputError(f"{index}: not the JSON object with a weight_map ({{tensor: file}}) transformers writes")
        files = sorted(set(weight_map.values()))
    else:
        files = sorted(p.name for p in d.glob('*.safetensors'))
        if not files:
            raise InputError(f"{d}: config.json but no *.safetensors here; download the safetensors weights "
                             "(this project never unpickles pytorch_model.bin)")
    handles = {}
    for name in files:
        if not (d / name).is_file():
            raise InputError(f"{d / name}: missing, though {index.name} lists it; download every file the index names")
        try:
            handles[name] = safe_open(d / name, 'pt')
        except Exception as e:
            raise InputError(f"{d / name}: not a readable safetensors file ({str(e)[:120]}); download it again")
    if not index.is_file():
        weight_map = {key: name for name, f in handles.items() for key in f.keys()}
    return weight_map, handles


def read_hf_weights(ckpt_dir, args):
    """{Meta name: tensor} from a Hugging Face Llama directory, memory-mapped tensor by tensor; wq and wk are
    permuted back into Meta's RoPE order (one matrix copied at a time, its mapped pages then let go)."""
    d = Path(ckpt_dir)
    _, tied = read_hf_config(d)
    weight_map, handles = open_safetensors(d)
    source = d / 'model.safetensors.index.json' if (d / 'model.safetensors.index.json').is_file() else d
    with torch.device('meta'):
        expected = {k: v.shape for k, v in Transformer(args).state_dict().items()}
    if tied:
        del expected['output.weight']
    ours = {hf_name(k) for k in expected} | {'lm_head.weight'}  # a tied model may still store its lm_head
    unexpected = sorted(k for k in weight_map if k not in ours and not k.endswith('rotary_emb.inv_freq'))
    if unexpected:
        raise InputError(f"{d / weight_map[unexpected[0]]}: tensors a Llama of this config.json does not have: "
                         f"{', '.join(unexpected[:4])}; is config.json the one that came with it?")
    state = {}
    for name, shape in expected.items():
        key = hf_name(name)
        if key not in weight_map:
            raise InputError(f"{source}: tensor {key} is missing; download the whole model")
        path = d / weight_map[key]
        try:
            t = handles[weight_map[key]].get_tensor(key)
        except Exception:
            raise InputError(f"{path}: tensor {key} is missing, though {source.name} says it is here")
        if t.shape != shape:
            raise InputError(f"{path}: {key} has shape {tuple(t.shape)} but config.json implies {tuple(shape)}")
        if name.endswith(('wq.weight', 'wk.weight')):
            mapped, t = t, rotate_half_order(t, args.n_heads if 'wq' in name else args.kv_heads, inverse=True)
            release_pages(mapped)
        state[name] = t
    return state


def stored_dtype_and_tied(ckpt_dir):
    """(dtype of the stored weights, whether the output is tied) of a checkpoint of either layout, from the
    names alone: nothing is read but the headers."""
    if checkpoint_layout(ckpt_dir) == 'meta':
        names = read_consolidated(min(Path(ckpt_dir).glob('consolidated.*.pth')))  # memory-mapped
        return names['tok_embeddings.weight'].dtype, 'output.weight' not in names
    _, tied = read_hf_config(ckpt_dir)
    weight_map, handles = open_safetensors(ckpt_dir)
    embed = 'model.embed_tokens.weight'
    if embed not in weight_map:
        raise InputError(f"{ckpt_dir}: tensor {embed} is missing from its *.safetensors; download the whole model")
    return handles[weight_map[embed]].get_tensor(embed).dtype, tied


def write_safetensors(path, tensors, prepare=lambda name, t: t):
    """One .safetensors file written tensor by tensor, so that no second copy of the weights is ever built:
    an 8-byte little-endian header size, a JSON header (each tensor's dtype, shape and byte range), then
    the raw bytes (the format in github.com/huggingface/safetensors' README). `prepare(name, t)` makes a
    tensor's bytes just before they are written (the RoPE permutation); it keeps shape and dtype."""
    header, offset = {'__metadata__': {'format': 'pt'}}, 0  # transformers refuses a file without format pt
    for name, t in tensors.items():
        size = t.numel() * t.element_size()
        header[name] = {'dtype': SAFETENSORS_DTYPES[t.dtype], 'shape': list(t.shape),
                        'data_offsets': [offset, offset + size]}
        offset += size
    head = json.dumps(header, separators=(',', ':')).encode()
    head += b' ' * (-len(head) % 8)  # the data starts 8-byte aligned, as safetensors' own writer pads it
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)) + head)
        for name, t in tensors.items():
            f.write(prepare(name, t).contiguous().flatten().view(torch.uint8).numpy().data)
    return offset


def hf_config(args, dtype, tokenizer, tied):
    """config.json for transformers' LlamaConfig (4.x and 5.x; vLLM and lm-evaluation-harness read it through
    transformers), in the keys the Hub's Llama 3.x files use: rope_theta and rope_scaling, torch_dtype."""
    rope_scaling = None if not args.use_scaled_rope else {
        'rope_type': 'llama3', 'factor': args.rope_scaling_factor or 8.0,
        'low_freq_factor': args.rope_low_freq_factor or 1.0, 'high_freq_factor': args.rope_high_freq_factor or 4.0,
        'original_max_position_embeddings': args.rope_old_context_len or 8192}
    return {'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'hidden_size': args.dim,
            'intermediate_size': args.ffn_hidden_dim, 'num_hidden_layers': args.n_layers,
            'num_attention_heads': args.n_heads, 'num_key_value_heads': args.kv_heads, 'head_dim': args.head_dim,
            'hidden_act': 'silu', 'rms_norm_eps': args.norm_eps, 'vocab_size': args.vocab_size,
            # Meta's params.json does not say the context a model was trained for: the longest this project
            # built it for (pretrain.py: max(block_size, 2048)); raise it for a base that allows more
            'max_position_embeddings': args.max_seq_len, 'rope_theta': args.rope_theta, 'rope_scaling': rope_scaling,
            'attention_bias': False, 'mlp_bias': False, 'tie_word_embeddings': tied,
            'bos_token_id': tokenizer.bos_id, 'eos_token_id': tokenizer.eos_id,
            'torch_dtype': str(dtype).removeprefix('torch.')}


def save_hf(out_dir, args, state, tokenizer):
    """Hugging Face's layout into the folder out_dir: config.json, generation_config.json and the weights as
    model.safetensors, or as model-0000N-of-0000M.safetensors shards of at most SHARD_BYTES with
    model.safetensors.index.json. `state` has Meta's names (a missing output.weight: tied)."""
    out_dir = Path(out_dir)
    shards, size = [{}], 0
    for name, t in state.items():
        n = t.numel() * t.element_size()
        if shards[-1] and size + n > SHARD_BYTES:
            shards, size = shards + [{}], 0
        shards[-1][hf_name(name)], size = t, size + n
    files = (['model.safetensors'] if len(shards) == 1 else
             [f'model-{i + 1:05d}-of-{len(shards):05d}.safetensors' for i in range(len(shards))])

    def prepare(key, t):  # Meta's RoPE order -> HF's, one matrix at a time
        if key.endswith(('q_proj.weight', 'k_proj.weight')):
            return rotate_half_order(t, args.n_heads if 'q_proj' in key else args.kv_heads)
        return t

    total = sum(write_safetensors(out_dir / file, shard, prepare) for file, shard in zip(files, shards))
    if len(shards) > 1:
        index = {'metadata': {'total_size': total},
                 'weight_map': {key: file for file, shard in zip(files, shards) for key in shard}}
        (out_dir / 'model.safetensors.index.json').write_text(json.dumps(index, indent=2) + '\n')
    dtype = state['tok_embeddings.weight'].dtype
    config = hf_config(args, dtype, tokenizer, tied='output.weight' not in state)
    # model.py stops at any of the tokenizer's stop tokens (Llama 3: end_of_text, eom, eot); so does generate()
    stops = list(tokenizer.stop_tokens)
    generation = {'bos_token_id': tokenizer.bos_id, 'eos_token_id': stops if len(stops) > 1 else stops[0]}
    for name, obj in (('config.json', config), ('generation_config.json', generation)):
        (out_dir / name).write_text(json.dumps(obj, indent=2) + '\n')
    save_hf_tokenizer(tokenizer, out_dir)


def build(args, state, device='cpu', dtype=None):
    """A Transformer holding `state`, built on the meta device and filled tensor by tensor (no
    random init, no second copy: tensors already of the right dtype and device are used as they are)."""
    with torch.device('meta'):
        model = Transformer(args)
    state = {k: v.to(device=device, dtype=dtype or v.dtype) for k, v in state.items()}
    model.load_state_dict(state, strict=False, assign=True)
    if 'output.weight' not in state:
        model.output.weight = model.tok_embeddings.weight
    assert not any(p.is_meta for p in model.parameters()), "a weight was missing from `state`"
    model.init_rope(device)
    return model


def load_args(ckpt_dir, tokenizer_path='', max_seq_len=2048):
    """(ModelArgs, Tokenizer) of a checkpoint directory of either layout, checked to agree; no weights are read."""
    layout = checkpoint_layout(ckpt_dir)
    if layout is None:
        raise InputError(f"{ckpt_dir}: no params.json (Meta's layout) or config.json (Hugging Face's) here; point "
                         "it at a checkpoint directory")
    params = Path(ckpt_dir) / ('params.json' if layout == 'meta' else 'config.json')
    args = ModelArgs.from_json(params) if layout == 'meta' else read_hf_config(ckpt_dir)[0]
    args.max_seq_len = max_seq_len
    tokenizer = Tokenizer(find_tokenizer(ckpt_dir, tokenizer_path))
    if args.vocab_size == -1:  # LLaMA 1: the tokenizer decides
        args.vocab_size = tokenizer.n_words
    if args.vocab_size != tokenizer.n_words:
        raise InputError(f"{tokenizer.path} has {tokenizer.n_words} tokens but {params} says vocab_size "
                         f"{args.vocab_size}; start pretrain.py with resize_vocab=True to grow the "
                         "embeddings to the new tokenizer, or use the tokenizer the model was trained with")
    return args, tokenizer


def load(ckpt_dir, tokenizer_path='', device='cpu', dtype=None, max_seq_len=2048):
    """(model, tokenizer) from a checkpoint directory: Meta's layout or Hugging Face's."""
    args, tokenizer = load_args(ckpt_dir, tokenizer_path, max_seq_len)
    return build(args, read_weights(ckpt_dir, args), device, dtype), tokenizer


SAVE_FORMATS = ('meta', 'hf', 'both')


def save(out_dir, args, state, tokenizer_path, extra=None, save_format='meta'):
    """A checkpoint folder in Meta's layout (params.json, consolidated.00.pth), Hugging Face's (config.json,
    generation_config.json, model*.safetensors) or both, with tokenizer.model, plus `extra` files ({name.json:
    dict} or {name.pth: tensors}). `state` has Meta's names. Written into a temporary directory and renamed
    into place, so a crash leaves either the old checkpoint or the new one, never half of one."""
    assert save_format in SAVE_FORMATS, save_format
    out_dir = Path(out_dir)
    files = dict(extra or {})
    if save_format in ('meta', 'both'):  # to_json() first: it refuses what params.json cannot hold, before writing
        files = {'params.json': args.to_json(), 'consolidated.00.pth': {k: v.contiguous() for k, v in state.items()},
                 **files}
    with atomic_path(out_dir) as tmp:
        tmp.mkdir()
        for name, obj in files.items():
            if name.endswith('.json'):
                (tmp / name).write_text(json.dumps(obj, indent=2, ensure_ascii=False) + '\n')
                continue
            with open(tmp / name, 'wb') as f:  # a file, not a path: a full disk is then an OSError (atomic_path
                try:                           # names the disk), not '[enforce fail at inline_container.cc]'
                    torch.save(obj, f)
                except RuntimeError as e:  # torch's writer, closed after the failed write, hides that OSError
                    raise e.__context__ if isinstance(e.__context__, OSError) else e
        tokenizer = Tokenizer(tokenizer_path)
        if save_format in ('hf', 'both'):
            save_hf(tmp, args, state, tokenizer)
        # Meta's tokenizer.model: the file itself, or for a vocabulary read from tokenizer.json its ranks in Meta's form
        (tmp / 'tokenizer.model').write_bytes(
            tiktoken_file_bytes(tokenizer.ranks) if tokenizer.kind == 'tiktoken' else tokenizer.path.read_bytes())


def meta_state_dict(state, lora_scale=None, tied=False, dtype=None):
    """The checkpoint tensors in Meta's names, made in `state` itself one tensor at a time, so that saving
    never holds a second copy of the model: each LoRA adapter folded into its base weight (W + scale * B @ A,
    in float32), every weight cast to `dtype` if given, the adapters dropped, a tied output left out (its
    absence is what marks it tied). Entries are replaced, never written into: a tensor the live model
    shares is left as it was. Returns `state`."""
    for name in [n for n in state if '.lora_' not in n]:
        w, base = state[name], name.removesuffix('.weight')
        if f'{base}.lora_A' in state:
            A, B = state[f'{base}.lora_A'].float(), state[f'{base}.lora_B'].float()
            merged = torch.empty_like(w)
            for i in range(0, len(w), 256):  # float32 for 256 rows at a time, not for the whole matrix
                merged[i:i + 256] = (B[i:i + 256] @ A).mul_(lora_scale).add_(w[i:i + 256])
            w = merged
        state[name] = w.to(dtype or w.dtype)
    for name in [n for n in state if '.lora_' in n or (tied and n == 'output.weight')]:
        del state[name]
    return state


# -----------------------------------------------------------------------------------------------
# LoRA and the training modes the papers compare


class LoRALinear(nn.Linear):
    """y = x W^T + scale * dropout(x) A^T B^T, with W frozen (Hu et al. 2021; lit-llama's lora.py).
    A subclass of nn.Linear, so the base weight keeps its Meta name (`...wq.weight`) and the adapter
    sits beside it (`...wq.lora_A`, `...wq.lora_B`)."""

    def __init__(self, base, r, alpha, dropout):
        super().__init__(base.in_features, base.out_features, bias=False, device='meta')
        self.weight = base.weight
        factory = dict(device=base.weight.device, dtype=base.weight.dtype)
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, **factory))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, **factory))  # zero: starts as the base model
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))  # as nn.Linear initialises its weight
        self.scale = alpha / r
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return F.linear(x, self.weight) + F.linear(F.linear(self.dropout(x), self.lora_A), self.lora_B) * self.scale


LORA_TARGETS = ('wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3')


def apply_lora(model, r=8, alpha=16, dropout=0.05, targets=('wq', 'wv')):
    """Replace the chosen projections (of LORA_TARGETS) of every block by LoRALinear, in place."""
    for layer in model.layers:
        for parent in (layer.attention, layer.feed_forward):
            for name in targets:
                if hasattr(parent, name) and not isinstance(getattr(parent, name), LoRALinear):
                    setattr(parent, name, LoRALinear(getattr(parent, name), r, alpha, dropout))
    return model


def lora_state_dict(state):
    """The adapter alone: every `*.lora_A` / `*.lora_B` tensor."""
    return {k: v for k, v in state.items() if '.lora_' in k}


# The training modes the papers compare: which parameters (by name) each one trains. Besides these,
# `layers:0,5` trains the listed blocks only (How Multilingual's single-layer tuning).
TRAIN_MODES = {
    'full': lambda n: '.lora_' not in n,
    'lora': lambda n: '.lora_' in n,  # the adapters only (apply_lora first)
    'embed': lambda n: n.startswith('tok_embeddings.'),  # How Multilingual's embedding-only tuning
    'embed+head': lambda n: n.startswith(('tok_embeddings.', 'output.')),
    'lora+embed': lambda n: '.lora_' in n or n.startswith(('tok_embeddings.', 'output.')),  # Chinese-LLaMA's CPT
}


def set_trainable(model, mode):
    """Set requires_grad for a mode of TRAIN_MODES or `layers:...`; returns (trainable, total) parameter
    counts. A tied output (Llama 3.2 1B/3B) is the embedding matrix: it trains whenever the embedding does."""
    has_lora = any('.lora_' in n for n, _ in model.named_parameters())
    if mode.startswith('layers:'):
        try:
            ids = {int(i) for i in mode[len('layers:'):].split(',')}
        except ValueError:
            ids = {-1}
        if not ids or not ids <= set(range(model.args.n_layers)):
            raise InputError(f"mode {mode!r}: name blocks between 0 and {model.args.n_layers - 1}, like layers:0,5")
        prefixes = tuple(f'layers.{i}.' for i in sorted(ids))
        trains = lambda n: n.startswith(prefixes) and '.lora_' not in n  # noqa: E731
    elif mode in TRAIN_MODES:
        trains = TRAIN_MODES[mode]
    else:
        raise InputError(f"unknown mode {mode!r}; choose one of: {', '.join(TRAIN_MODES)}, layers:0,5")
    if ('lora' in mode) != has_lora:
        raise InputError(f"mode {mode!r} "
                         + ("needs apply_lora first" if 'lora' in mode else "but the model has LoRA adapters"))
    total = trainable = 0
    for name, p in model.named_parameters():
        p.requires_grad_(trains(name))
        total += p.numel() * ('.lora_' not in name)
        trainable += p.numel() * p.requires_grad
    return trainable, total


# -----------------------------------------------------------------------------------------------
# Vocabulary resize, for an extended tokenizer


@torch.no_grad()
def resize_vocab(model, old_tokenizer, new_tokenizer):
    """Grow tok_embeddings and output to the new tokenizer's size. The extended tokenizer keeps
    every old id; each new token's row starts as the mean of the old rows of the pieces the old
    tokenizer splits its text into, so its first prediction is near what the model already computes
    for that text, instead of noise (Hewitt 2021, "Initializing new word embeddings for pretrained
    language models"; the mean of all rows when the text gives no pieces)."""
    old_n, new_n = model.args.vocab_size, new_tokenizer.n_words
    if old_tokenizer.kind != new_tokenizer.kind or new_tokenizer.kind == 'tiktoken' and (
            old_tokenizer.special != new_tokenizer.special
            or any(new_tokenizer.ranks.get(t) != r for t, r in old_tokenizer.ranks.items())):
        raise InputError(f"{new_tokenizer.path} does not extend the model's {old_tokenizer.path}: its old ids differ; "
                         "extend the model's own tokenizer (tokenize_prep.py, extend=...)")
    if new_n < old_n:
        raise InputError(f"{new_tokenizer.path} has {new_n} tokens, fewer than the model's {old_n}")

    pieces = [_old_pieces(old_tokenizer, new_tokenizer, i) for i in range(old_n, new_n)]
    tied = model.tied

    def grown(weight):
        new_rows = torch.stack([weight[p].mean(0) if p else weight.mean(0) for p in pieces]) if pieces else weight[:0]
        return nn.Parameter(torch.cat([weight, new_rows.to(weight.dtype)]), requires_grad=weight.requires_grad)

    model.tok_embeddings.weight = grown(model.tok_embeddings.weight)
    model.tok_embeddings.num_embeddings = new_n
    model.output.weight = model.tok_embeddings.weight if tied else grown(model.output.weight)
    model.output.out_features = new_n
    model.args.vocab_size = new_n


def _old_pieces(old, new, i):
    """The old tokenizer's ids that spell new token i. Byte-level BPE: its bytes, merged by the old ranks
    (a token may hold part of a character). SentencePiece: the old encoding of its text; decode() drops a
    word-start piece's leading space and encode() puts it back (the dummy prefix), which is right for
    '▁word', but a word-internal piece ('ीक') has no space, so that '▁' is not part of it."""
    data = new.token_bytes(i)
    if new.kind == 'tiktoken':
        return [old.ranks[p] for p in bpe(old.ranks, [data[j:j + 1] for j in range(len(data))])]
    ids = old.encode(new.decode([i]), bos=False, eos=False)
    return ids[1:] if not data.startswith(b' ') and ids and old.token_bytes(ids[0]) == b' ' else ids


# -----------------------------------------------------------------------------------------------
# Generation: batched prompts, KV cache, greedy or top-p


def sample(logits, temperature=0.0, top_p=1.0, generator=None):
    """Next token ids (B,) from last-position logits (B, vocab): argmax at temperature 0, otherwise
    top-p (nucleus) sampling as in Meta's `sample_top_p`."""
    if temperature <= 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    outside = sorted_probs.cumsum(dim=-1) - sorted_probs > top_p  # keep the smallest set reaching top_p
    sorted_probs = sorted_probs.masked_fill(outside, 0.0)
    choice = torch.multinomial(sorted_probs / sorted_probs.sum(-1, keepdim=True), 1, generator=generator)
    return order.gather(-1, choice).squeeze(-1)


@torch.inference_mode()
def generate(model, prompts, max_new_tokens, temperature=0.0, top_p=1.0, stop_tokens=(), generator=None):
    """Continue each prompt (a list of token ids); returns each row's new tokens, cut before its first stop
    token. Meta's scheme: prefill up to the shortest prompt, then advance one position at a time; a row still
    inside its own prompt keeps its prompt token, so prompts of different lengths need no padding mask."""
    lengths = [len(p) for p in prompts]
    assert min(lengths) > 0, "every prompt needs at least one token (BOS)"
    if max(lengths) >= model.args.max_seq_len:
        raise ValueError(f"a prompt of {max(lengths)} tokens leaves no room under max_seq_len={model.args.max_seq_len}")
    total = min(model.args.max_seq_len, max(lengths) + max_new_tokens)
    device = model.tok_embeddings.weight.device
    tokens = torch.zeros((len(prompts), total), dtype=torch.long, device=device)
    for i, p in enumerate(prompts):
        tokens[i, :min(len(p), total)] = torch.tensor(p[:total])
    in_prompt = torch.arange(total, device=device)[None, :] < torch.tensor(lengths, device=device)[:, None]
    stops = torch.tensor(list(stop_tokens) or [-1], device=device)
    done = torch.zeros(len(prompts), dtype=torch.bool, device=device)
    model.setup_cache(len(prompts), total)
    try:
        prev = 0
        for cur in range(min(lengths), total):
            logits = model(tokens[:, prev:cur], start_pos=prev)  # the first pass is the prefill
            next_token = sample(logits[:, -1], temperature, top_p, generator)
            next_token = torch.where(in_prompt[:, cur], tokens[:, cur], next_token)
            tokens[:, cur] = next_token
            done |= ~in_prompt[:, cur] & torch.isin(next_token, stops)
            prev = cur
            if done.all():
                break
    finally:
        model.clear_cache()
    out = []
    for i, n in enumerate(lengths):
        new = tokens[i, n:min(n + max_new_tokens, prev + 1)].tolist()
        cut = [j for j, t in enumerate(new) if t in stop_tokens]
        out.append(new[:cut[0]] if cut else new)
    return out


# -----------------------------------------------------------------------------------------------
# `python model.py`: continue a prompt, like Meta's example_text_completion.py

ckpt_dir = 'out/demo/base/latest'  # a checkpoint directory, Meta's layout or Hugging Face's (the demo's English base)
tokenizer_path = ''  # '' = tokenizer.model (else tokenizer.json) in ckpt_dir, or tokenizer.model in its parent
prompt = 'The river'  # the text to continue
template = ''  # '' = the raw prompt; 'alpaca' wraps it as an instruction (PROMPT_TEMPLATES)
max_new_tokens = 64
temperature = 0.0  # 0 = greedy
top_p = 0.9  # nucleus sampling when temperature > 0
seed = 1337
device = 'cpu'  # 'cuda' on a GPU
dtype = 'float32'  # 'bfloat16' halves memory on a GPU
max_seq_len = 2048  # the longest prompt + continuation (export: config.json's max_position_embeddings)
export_dir = ''  # a folder: write ckpt_dir's model there in export_format instead of generating
export_format = 'hf'  # 'hf' (safetensors, for transformers, vLLM, lm-evaluation-harness), 'meta' or 'both'


def check_settings(cfg):
    if cfg.max_new_tokens < 0:
        raise InputError(f"max_new_tokens={cfg.max_new_tokens}: a number of tokens, 0 or more")
    if not (math.isfinite(cfg.temperature) and cfg.temperature >= 0):
        raise InputError(f"temperature={cfg.temperature}: 0 (greedy) or more")
    if not 0 < cfg.top_p <= 1:
        raise InputError(f"top_p={cfg.top_p}: a probability above 0 and at most 1")
    if cfg.max_seq_len < 1:
        raise InputError(f"max_seq_len={cfg.max_seq_len}: must be 1 or more")
    check_system(cfg.device, cfg.dtype)
    if cfg.export_format not in SAVE_FORMATS:
        raise InputError(f"export_format={cfg.export_format}: choose one of {', '.join(SAVE_FORMATS)}")
    if cfg.export_dir:
        check_writable(cfg.export_dir, 'export_dir')
        if Path(cfg.export_dir).resolve() == Path(cfg.ckpt_dir).resolve():
            raise InputError(f"export_dir={cfg.export_dir}: the checkpoint being read; name another folder")


if __name__ == '__main__':
    cfg = ReadOnly(**vars(configure(globals())))
    check_settings(cfg)
    if cfg.export_dir:  # a conversion: the weights stream from ckpt_dir's files into export_dir's
        export_lock = lock(cfg.export_dir)  # held until the process ends: a second export there is refused
        on_interrupt(lambda sig: f"interrupted by {sig}: {cfg.export_dir} is as it was (it is replaced only when "
                     "complete); run the same command again")
        args, tok = load_args(cfg.ckpt_dir, cfg.tokenizer_path, cfg.max_seq_len)
        save(cfg.export_dir, args, read_weights(cfg.ckpt_dir, args), tok.path, save_format=cfg.export_format)
        print(f"wrote {cfg.export_dir} ({cfg.export_format})")
        raise SystemExit
    on_interrupt(lambda sig: f"interrupted by {sig}: generation stopped; nothing is written")
    torch.manual_seed(cfg.seed)
    model, tok = load(cfg.ckpt_dir, cfg.tokenizer_path, cfg.device, getattr(torch, cfg.dtype), cfg.max_seq_len)
    text = format_prompt(cfg.prompt, template=cfg.template) if cfg.template else cfg.prompt
    ids = tok.encode(text, bos=True, eos=False)
    if len(ids) >= cfg.max_seq_len:
        raise InputError(f"max_seq_len={cfg.max_seq_len}: the prompt alone is {len(ids)} tokens; raise max_seq_len "
                         "or shorten the prompt")
    new = generate(model.eval(), [ids], cfg.max_new_tokens, cfg.temperature, cfg.top_p, tok.stop_tokens)[0]
    print(text + tok.decode(new))
