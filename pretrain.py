"""Continued pretraining: the training loop, FSDP2, checkpoints, exact resume.

    python pretrain.py                                      # the demo: a tiny English LLaMA from scratch
    python pretrain.py configs/demo_cpt_hi.py               # continued pretraining of it on Hindi
    torchrun --nproc_per_node=8 pretrain.py configs/X.py    # the same loop, sharded over 8 GPUs

Every random choice (which training window, dropout) is a pure function of (seed, step, index), so
a run killed at any moment and resumed with init_from=resume ends bitwise equal to one never
interrupted, and one process computes the same global batch as eight.
"""

import json
import math
import os
import re
import shutil
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.distributed.checkpoint.state_dict import (StateDictOptions, get_model_state_dict, get_optimizer_state_dict,
                                                     set_model_state_dict, set_optimizer_state_dict)
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

import model as M
import plumbing as P
from tokenize_prep import read_meta, read_shard, same_tokenizer, shards_tokenizer

# -----------------------------------------------------------------------------------------------
# settings (defaults: the demo's English base model, trained from scratch on a laptop CPU)
out_dir = 'out/demo/base'  # checkpoints: out_dir/step_NNNNNN/ (Meta format) and out_dir/latest -> the newest
init_from = 'scratch'  # 'scratch' (the model settings below), a Meta checkpoint directory, or 'resume'
overwrite = False  # start a fresh run in an out_dir that already holds one (its checkpoints are deleted)
# data: tokenize_prep.py's shards
data_dir = 'out/demo/data'
mixture = {'en': 1.0}  # language -> share of training windows (joint training keeps English: LLaMA Beyond English)
resize_vocab = False  # grow a checkpoint's embeddings to the shards' (extended) tokenizer: model.resize_vocab
# model, when init_from='scratch' (vocab_size comes from the tokenizer)
dim = 128
n_layers = 2  # the demo: half the time a step of four layers takes, and copying is learnt as fast per CPU second
n_heads = 8  # the demo: heads of 16 dimensions (our choice: extractive QA is done by attention, not width)
n_kv_heads = 0  # 0 = as many as n_heads
multiple_of = 32
rope_theta = 10000.0
# what trains: full, lora, embed, embed+head, lora+embed, layers:0,5 (model.set_trainable)
mode = 'full'
lora_r = 8
lora_alpha = 16
lora_dropout = 0.05
lora_targets = ['wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3']
# optimisation: AdamW, linear warmup then cosine decay to min_lr
batch_size = 16  # sequences per micro-batch per process
block_size = 256  # tokens per sequence
grad_accum = 1  # micro-batches per step; global batch = batch_size * grad_accum * processes
max_steps = 1500
lr = 3e-3
embed_lr = 0.0  # learning rate of tok_embeddings and output; 0 = lr (Chinese-LLaMA: 2e-4 beside LoRA)
min_lr_ratio = 0.1  # the cosine ends at lr * min_lr_ratio
warmup_steps = 20
weight_decay = 0.1  # on matrices only: never on norms (nanoGPT)
beta1 = 0.9
beta2 = 0.95
grad_clip = 1.0  # 0 = off
seed = 1337
# evaluation, logging, checkpoints
eval_interval = 300  # held-out loss per language every N steps (and at the start and end)
eval_batches = 2  # global batches of held-out windows per language
log_interval = 10
ckpt_interval = 1500  # also at the end
keep_last = 2  # checkpoints kept
save_dtype = ''  # dtype of the saved weights: '' = that of init_from (bfloat16 for Meta's, float32 from scratch)
save_format = 'meta'  # 'meta' (params.json + .pth), 'hf' (config.json + safetensors: transformers, vLLM...) or 'both'
# system
device = 'cpu'  # 'cuda' on GPUs (torchrun gives each process its own)
dtype = 'float32'  # compute dtype: 'bfloat16' on GPUs (float32 master weights, float32 gradient reductions)
compile = False  # torch.compile each transformer block
activation_checkpointing = False  # recompute each block in the backward pass: less memory, ~30% more compute
peak_flops = 0.0  # per device, for MFU; 0 = known GPUs only (H100/H200: 989e12 bf16 dense)

# settings that may differ when resuming; every other one must equal the run's own
RESUME_MAY_CHANGE = ('init_from', 'max_steps', 'eval_interval', 'log_interval', 'ckpt_interval', 'keep_last',
                     'overwrite', 'out_dir', 'save_format')  # out_dir: a run directory may be moved
IGNORE = -1  # label of a position that is not trained on (prompt tokens in sft.py)


def check_settings(cfg, steps_from_data=False):
    """Every setting, checked before any process group, file or tensor exists, so that every
    torchrun process stops at once with the same one line. Bounds are sanity, not tuning: lr above
    1 moves AdamW weights by more than their own size each step (LLaMA pretrains at 3e-4).
    steps_from_data (sft.py): max_steps=0 and a negative warmup_steps are derived from the data."""
    def need(ok, name, what):
        if not ok:
            raise P.InputError(f"{name}={getattr(cfg, name)!r}: {what}")
    for name in ('batch_size', 'grad_accum', 'block_size', 'max_steps', 'eval_interval', 'eval_batches',
                 'log_interval', 'ckpt_interval', 'keep_last'):
        need(getattr(cfg, name) >= 1 or steps_from_data and name == 'max_steps' and cfg.max_steps == 0, name,
             'must be 1 or more')
    for name in ('lr', 'embed_lr'):
        need(math.isfinite(getattr(cfg, name)) and 0 <= getattr(cfg, name) <= 1 and cfg.lr > 0, name,
             'a learning rate above 0 and at most 1 (7B models train at 2e-5 to 3e-4)')
    need(0 <= cfg.min_lr_ratio <= 1, 'min_lr_ratio', 'a fraction of lr, between 0 and 1')
    derived = steps_from_data and (cfg.warmup_steps < 0 or cfg.max_steps == 0)  # then checked once derived
    need(0 <= cfg.warmup_steps <= cfg.max_steps or derived, 'warmup_steps',
         f'a number of steps, 0 to max_steps={cfg.max_steps}')
    need(math.isfinite(cfg.weight_decay) and cfg.weight_decay >= 0, 'weight_decay', 'must be 0 or more')
    need(math.isfinite(cfg.grad_clip) and cfg.grad_clip >= 0, 'grad_clip', 'must be 0 (off) or more')
    for name in ('beta1', 'beta2'):
        need(0 <= getattr(cfg, name) < 1, name, 'an AdamW beta, at least 0 and below 1')
    mix = cfg.mixture
    if not (isinstance(mix, dict) and mix and all(isinstance(w, (int, float)) and not isinstance(w, bool)
                                                  and math.isfinite(w) and w >= 0 for w in mix.values())
            and sum(mix.values()) > 0):
        raise P.InputError(f"mixture={mix!r}: name each language with a weight of 0 or more, not all 0, "
                           "like {'hi': 0.7, 'en': 0.3}")
    P.check_system(cfg.device, cfg.dtype)
    need(cfg.save_dtype in ('', 'float32', 'bfloat16', 'float16'), 'save_dtype',
         "choose '', float32, bfloat16 or float16")
    need(cfg.save_format in M.SAVE_FORMATS, 'save_format', f"choose one of {', '.join(M.SAVE_FORMATS)}")
    need(cfg.mode in M.TRAIN_MODES or cfg.mode.startswith('layers:'), 'mode',
         f"choose one of: {', '.join(M.TRAIN_MODES)}, layers:0,5")
    if 'lora' in cfg.mode:
        need(cfg.lora_r >= 1, 'lora_r', 'the adapters\' rank, 1 or more')
        need(0 <= cfg.lora_dropout < 1, 'lora_dropout', 'a probability below 1')
        need(set(cfg.lora_targets) <= set(M.LORA_TARGETS), 'lora_targets', f"names among {' '.join(M.LORA_TARGETS)}")
    if cfg.init_from == 'scratch':
        for name in ('dim', 'n_layers', 'n_heads', 'multiple_of'):
            need(getattr(cfg, name) >= 1, name, 'must be 1 or more')
        kv = cfg.n_kv_heads or cfg.n_heads
        need(cfg.n_kv_heads >= 0 and cfg.n_heads % kv == 0, 'n_kv_heads',
             f'must divide n_heads={cfg.n_heads} (0: as many)')
        need(cfg.dim % cfg.n_heads == 0 and cfg.dim // cfg.n_heads % 2 == 0, 'dim',
             f'must be n_heads={cfg.n_heads} times an even head size (RoPE rotates pairs)')
    elif cfg.init_from != 'resume':
        ckpt = Path(cfg.init_from)
        layout = M.checkpoint_layout(ckpt)
        if layout is None or not any(ckpt.glob('consolidated.*.pth' if layout == 'meta' else '*.safetensors')):
            raise P.InputError(f"init_from={cfg.init_from}: not a Meta checkpoint directory (params.json and "
                               "consolidated.*.pth) nor a Hugging Face one (config.json and *.safetensors); name "
                               "one, or use 'scratch' or 'resume'")
    P.check_writable(cfg.out_dir, 'out_dir')
    out, data = Path(cfg.out_dir).resolve(), Path(cfg.data_dir).resolve()
    if out == data or data in out.parents:  # tokenize_prep.py replaces data_dir whole
        raise P.InputError(f"out_dir={cfg.out_dir}: inside data_dir={cfg.data_dir}, which tokenize_prep.py "
                           "replaces as a whole; choose an out_dir outside it")
    if cfg.overwrite and cfg.init_from not in ('scratch', 'resume'):  # overwrite deletes the old run's checkpoints
        P.check_apart(cfg.out_dir, 'out_dir', {'init_from': cfg.init_from})


# -----------------------------------------------------------------------------------------------
# Processes: one without torchrun; with torchrun, one per device, FSDP2 over all of them


def setup_distributed(cfg):
    """This process: its rank, the world size, its device and the device mesh. Without torchrun:
    rank 0 of 1 and no mesh."""
    if 'RANK' not in os.environ:
        return SimpleNamespace(rank=0, world=1, device=torch.device(cfg.device), mesh=None)
    cuda = cfg.device.startswith('cuda')
    dist.init_process_group('nccl' if cuda else 'gloo')
    local_rank = int(os.environ['LOCAL_RANK'])
    if cuda:
        torch.cuda.set_device(local_rank)
    else:  # share the cores between the processes of this machine
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(os.environ['LOCAL_WORLD_SIZE'])))
    device = torch.device('cuda', local_rank) if cuda else torch.device('cpu')
    return SimpleNamespace(rank=dist.get_rank(), world=dist.get_world_size(), device=device,
                           mesh=init_device_mesh(device.type, (dist.get_world_size(),)))


def all_reduce_sum(x, world):
    if world > 1:
        dist.all_reduce(x)
    return x


def print0(*a, rank=0):
    if rank == 0:
        print(*a, flush=True)


# -----------------------------------------------------------------------------------------------
# Data: random windows of block_size + 1 tokens from memory-mapped shards


def open_shards(cfg, split, vocab_size):
    """{language: Shard} for `split` ('train' or 'val') in data_dir, each checked to hold ids below vocab_size."""
    return {p.name[:-len(f'.{split}.bin')]: read_shard(p, vocab_size)
            for p in sorted(Path(cfg.data_dir).glob(f'*.{split}.bin'))}


def window_sampler(shards, mixture, block_size, seed):
    """get(step, index) -> (x, y): the index-th sequence of step's global batch, a window from a
    language drawn by the mixture weights. A pure function: no state to save for resume."""
    langs = sorted(mixture)
    p = np.array([mixture[k] for k in langs], dtype=np.float64)
    p /= p.sum()

    def get(step, index):
        rng = np.random.default_rng([seed, step, index])
        tokens = shards[langs[rng.choice(len(langs), p=p)]].tokens
        start = int(rng.integers(0, len(tokens) - block_size))
        chunk = torch.from_numpy(tokens[start:start + block_size + 1].astype(np.int64))
        return chunk[:-1], chunk[1:]
    return get


def eval_windows(shard, n, block_size):
    """n fixed windows spread evenly over a held-out shard (the same ones at every evaluation)."""
    tokens = shard.tokens
    starts = np.linspace(0, len(tokens) - block_size - 1, n).astype(np.int64)
    chunks = [torch.from_numpy(tokens[s:s + block_size + 1].astype(np.int64)) for s in starts]
    return [(c[:-1], c[1:]) for c in chunks]


# -----------------------------------------------------------------------------------------------
# The model: from scratch, from a Meta checkpoint, or rebuilt for resume; then LoRA, modes, FSDP


def starting_point(cfg, init_from, data_meta, block_size):
    """What every run of these settings starts from, learnt without reading the weights (every process needs
    it; rank 0 alone reads them: initial_weights): ModelArgs as trained, the tokenizer, the weights' dtype,
    whether output is tied to tok_embeddings, and whether the embeddings grow to the shards' tokenizer.
    init_from: the setting, or when resuming, the one the run started from."""
    data_tok = Path(data_meta['tokenizer'])
    if init_from == 'scratch':
        args = M.ModelArgs(dim=cfg.dim, n_layers=cfg.n_layers, n_heads=cfg.n_heads, n_kv_heads=cfg.n_kv_heads or None,
                           vocab_size=shards_tokenizer(cfg.data_dir, data_meta).n_words,
                           multiple_of=cfg.multiple_of, rope_theta=cfg.rope_theta, max_seq_len=block_size)
        return SimpleNamespace(init_from=init_from, args=args, tokenizer=data_tok, source_dtype=torch.float32,
                               tied=False, resize=False)
    ckpt = Path(init_from)
    args, tok = M.load_args(ckpt, max_seq_len=max(block_size, 2048))
    resize = not same_tokenizer(tok, data_meta)
    if resize and not cfg.resize_vocab:
        raise P.InputError(f"{cfg.data_dir}/meta.json: the shards were made with {data_tok}, not with this "
                           f"checkpoint's {tok.path}; re-run tokenize_prep.py with the model's tokenizer, or "
                           "set resize_vocab=True to grow the model to the shards' (extended) tokenizer")
    if cfg.save_format != 'hf':
        args.to_json()  # what Meta's params.json cannot hold (from Hugging Face's layout): said now, not at the save
    source_dtype, tied = M.stored_dtype_and_tied(ckpt)  # from the names: no data read
    if resize:  # the shards' tokenizer file gives the new rows their pieces
        args.vocab_size = shards_tokenizer(cfg.data_dir, data_meta).n_words
    return SimpleNamespace(init_from=init_from, args=args, tokenizer=data_tok if resize else tok.path,
                           source_dtype=source_dtype, tied=tied, resize=resize)


def initial_weights(start, seed):
    """The full state dict on CPU that `start` describes, the same each time (resume rebuilds it). Read by rank 0
    alone: the other processes receive it by broadcast."""
    if start.init_from == 'scratch':
        model = M.Transformer(start.args)
        model.init_weights(seed)
        return model.state_dict()
    args, tok = M.load_args(start.init_from, max_seq_len=start.args.max_seq_len)  # the checkpoint's own vocabulary
    state = M.read_weights(start.init_from, args)
    if not start.resize:
        return state
    model = M.build(args, state)
    M.resize_vocab(model, tok, M.Tokenizer(start.tokenizer))
    state = model.state_dict()
    if start.tied:  # state_dict() lists the shared matrix under both names; the file keeps one
        del state['output.weight']
    return state


def prepare_model(cfg, start, proc):
    """The training model on proc.device: LoRA applied (seeded), trainable parameters chosen, and with
    several processes, FSDP2 over each block and then the root. Returns (model, trainable, total)."""
    def shaped(model):  # what every process's module tree needs besides the weights
        if start.tied:
            model.output.weight = model.tok_embeddings.weight
        if 'lora' in cfg.mode:
            torch.manual_seed(cfg.seed)  # the adapters' A matrices: the same on every run of these settings
            M.apply_lora(model, cfg.lora_r, cfg.lora_alpha, cfg.lora_dropout, cfg.lora_targets)
        counts = M.set_trainable(model, cfg.mode)
        for block in model.layers:
            block.checkpoint = cfg.activation_checkpointing
        return model, *counts

    compute_dtype = getattr(torch, cfg.dtype)
    if proc.world == 1:  # trainable weights in float32; frozen ones in the compute dtype (half the memory)
        model, trainable, total = shaped(M.build(start.args, initial_weights(start, cfg.seed)))  # memory-mapped
        for p in model.parameters():
            p.data = p.data.to(proc.device, torch.float32 if p.requires_grad else compute_dtype)
    else:
        # Only rank 0 holds the weights (eight processes do not each read the checkpoint). Every rank
        # builds the same module tree on the meta device, FSDP shards it, and rank 0's full state
        # (its LoRA initialised there) is broadcast into the shards, all in float32; FSDP casts to the
        # compute dtype for each block's work.
        full = ({k: v.float() for k, v in shaped(M.build(start.args, initial_weights(start, cfg.seed)))[0]
                 .state_dict().items()} if proc.rank == 0 else {})
        with torch.device('meta'):
            model, trainable, total = shaped(M.Transformer(start.args))
        mp = MixedPrecisionPolicy(param_dtype=compute_dtype, reduce_dtype=torch.float32)
        for block in model.layers:
            fully_shard(block, mesh=proc.mesh, mp_policy=mp)
        fully_shard(model, mesh=proc.mesh, mp_policy=mp)
        model.to_empty(device=proc.device)
        set_model_state_dict(model, full, options=StateDictOptions(full_state_dict=True, broadcast_from_rank0=True))
    model.init_rope(proc.device)
    if cfg.compile:
        for block in model.layers:
            block.compile()
    return model, trainable, total


# -----------------------------------------------------------------------------------------------
# Optimiser and schedule


def make_optimizer(cfg, model, device):
    """AdamW: embed_lr for tok_embeddings and output; weight decay on matrices only (never on norms)."""
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            groups.setdefault((name.startswith(('tok_embeddings.', 'output.')), p.dim() >= 2), []).append(p)
    param_groups = []
    for (embed, matrix), ps in sorted(groups.items()):
        lr = (cfg.embed_lr or cfg.lr) if embed else cfg.lr
        decay = cfg.weight_decay if matrix else 0.0
        param_groups.append({'params': ps, 'weight_decay': decay, 'lr': lr, 'base_lr': lr})
    return torch.optim.AdamW(param_groups, betas=(cfg.beta1, cfg.beta2), fused=device.type == 'cuda')


def lr_factor(step, warmup_steps, max_steps, min_lr_ratio):
    """Linear warmup, then cosine decay from 1 to min_lr_ratio at max_steps."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, max_steps - warmup_steps))
    return min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def flops_per_token(model, block_size, mode):
    """PaLM (Chowdhery et al. 2022, App. B): 6N + 12 L H Q T per token for a full backward pass.
    A frozen weight needs no weight gradient: 4N + 2 N_trainable (LoRA: about 4N). Under FSDP a
    parameter's numel() is that of the whole tensor, not of this process's shard."""
    args = model.args
    total = sum(p.numel() for name, p in model.named_parameters() if '.lora_' not in name)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    n = total - args.vocab_size * args.dim  # the embedding lookup does no matmul
    matmul = 6 * n if mode == 'full' else 4 * n + 2 * trainable
    return matmul + 12 * args.n_layers * args.n_heads * args.head_dim * block_size


def device_peak_flops(device):
    """Dense bfloat16 FLOP/s of one device, for MFU; 0 (no MFU) where unknown. H100/H200 SXM: 989e12."""
    if device.type == 'cuda' and any(g in torch.cuda.get_device_name(device) for g in ('H100', 'H200')):
        return 989e12
    return 0.0


# -----------------------------------------------------------------------------------------------
# Checkpoints: out_dir/step_NNNNNN/ holds the model (save_format: Meta's layout, Hugging Face's or both)
# and the state to resume from


def save_checkpoint(cfg, model, optimizer, step, record, proc):
    """Written by rank 0 into a temporary directory and renamed (model.save), then `latest` is
    re-pointed atomically and checkpoints beyond keep_last are deleted. record: what run.json
    holds besides the step (run_stage)."""
    opts = StateDictOptions(full_state_dict=True, cpu_offload=True)  # gathered onto rank 0's CPU ({} elsewhere)
    state = get_model_state_dict(model, options=opts)
    optim_state = get_optimizer_state_dict(model, optimizer, options=opts)
    if proc.rank == 0:
        out = Path(cfg.out_dir)
        name = f'step_{step:06d}'
        trainable = [n for n, p in model.named_parameters() if p.requires_grad]
        save_dtype = getattr(torch, cfg.save_dtype or record['source_dtype'])
        lora_scale = cfg.lora_alpha / cfg.lora_r if 'lora' in cfg.mode else None
        files = {'train_state.pth': {'step': step, 'trainable': {k: state[k] for k in trainable},
                                     'optimizer': optim_state},
                 'run.json': {'step': step, **record}}
        if 'lora' in cfg.mode:
            files['adapter.pth'] = M.lora_state_dict(state)
        # merged and cast in place, so only after `files` took what they need from state
        weights = M.meta_state_dict(state, lora_scale, record['tied'], save_dtype)
        try:
            M.save(out / name, model.args, weights, record['tokenizer'], files, cfg.save_format)
        except P.InputError as e:  # a full disk, say: the line also names the checkpoint that survives
            latest = out / 'latest'
            kept = f" ({latest} is {os.readlink(latest)}, whole: resume with --init_from=resume)" \
                if latest.is_symlink() else ''
            raise P.InputError(e.code.removeprefix('error: ') + kept) from None
        P.recover(out / 'latest')  # links left by killed runs
        link = out / f'.latest.tmp{os.getpid()}'
        link.unlink(missing_ok=True)
        link.symlink_to(name)
        os.replace(link, out / 'latest')
        others = [p for p in own_checkpoints(out) if p.name != name]  # never the one latest now names
        for old in others[:max(0, len(others) - cfg.keep_last + 1)]:
            shutil.rmtree(old)
    if proc.world > 1:
        dist.barrier()


def own_checkpoints(out):
    """The checkpoints this stage wrote in out, oldest first: folders named exactly step_NNNNNN with the run.json
    written inside each. Only these are pruned or replaced; a user's step_000002_backup, a folder of plots or a
    file named like a checkpoint are not the run's, whatever their names."""
    ours = [p for p in Path(out).glob('step_*') if re.fullmatch(r'step_\d{6,}', p.name) and not p.is_symlink()
            and (p / 'run.json').is_file()]
    return sorted(ours, key=lambda p: int(p.name[5:]))


def check_in_the_way(cfg, start, max_steps):
    """Refuse, before training, what stands where the run will write: a `latest` that is not a link, or a folder
    or file named as one of the run's next checkpoints that is not this stage's own."""
    out = Path(cfg.out_dir)
    if os.path.lexists(out / 'latest') and not (out / 'latest').is_symlink():
        raise P.InputError(f"{out / 'latest'}: not a link, but the run points latest at its newest checkpoint; move "
                           "it, or choose another out_dir")
    ours = own_checkpoints(out)
    for step in range(start + 1, max_steps + 1):
        path = out / f'step_{step:06d}'
        if (step % cfg.ckpt_interval == 0 or step == max_steps) and os.path.lexists(path) and path not in ours:
            raise P.InputError(f"{path}: not a checkpoint of this stage (no run.json inside), and the run would write "
                               "one by this name; move it, or choose another out_dir")


def lock_out_dir(cfg, proc):
    """Rank 0 holds out_dir for the run (plumbing.lock); if another run holds it, every process stops with the same
    line (under torchrun, the others learn it from rank 0)."""
    held, refused = None, None
    if proc.rank == 0:
        try:
            held = P.lock(cfg.out_dir)
        except P.InputError as e:
            refused = e.code
    if proc.world > 1:
        box = [refused]
        dist.broadcast_object_list(box)
        refused = box[0]
    if refused:
        raise SystemExit(refused)
    return held


def interrupted(cfg, sig, step):
    """The line a run ends with on Ctrl-C or SIGTERM: the step, the checkpoint latest names, how to go on."""
    latest = Path(cfg.out_dir) / 'latest'
    then = (f"{latest} is {os.readlink(latest)}, whole; to go on, run the same command with --init_from=resume"
            if latest.is_symlink() else "no checkpoint yet; run the same command to start again")
    return f"interrupted by {sig} {'before training' if step is None else f'at step {step}'}: {then}"


def start_run(cfg, derived):
    """Check out_dir before anything is trained: a fresh run never silently mixes with another. When
    resuming, returns the run's run.json, once its settings and derived values are found equal to ours."""
    out = Path(cfg.out_dir)
    if cfg.init_from == 'resume':
        latest = out / 'latest'
        if not latest.exists():
            raise P.InputError(f"{out}: no checkpoint to resume (no {latest}); start with init_from=scratch "
                               "or a checkpoint directory")
        try:
            saved = json.loads((latest / 'run.json').read_text())
            assert isinstance(saved, dict) and isinstance(saved['step'], int) and (isinstance(saved['config'], dict)
                   if 'config' in saved else isinstance(saved['settings'], dict) and isinstance(saved['derived'], dict))
        except (OSError, ValueError, KeyError, AssertionError) as e:
            raise P.InputError(f"{latest.resolve()}/run.json: missing or damaged ({type(e).__name__}); point latest "
                               "at an earlier step_* (ln -sfn step_N latest) or start a new run from it with "
                               "init_from=")
        read_train_state(latest / 'train_state.pth', mmap=True)  # cheap: a damaged file stops every process alike
        if 'config' in saved:  # run.json from before the settings and derived values were kept apart: sft.py's
            pairs = [(k, {**vars(cfg), **vars(derived)}.get(k, v), v) for k, v in saved['config'].items()]  # among them
        else:
            pairs = [(k, getattr(cfg, k, v), v) for k, v in saved['settings'].items()]
            pairs += [(f'{k} (from the data)', getattr(derived, k), v) for k, v in saved['derived'].items()]
        differ = [f"{k}={now!r} (run: {then!r})" for k, now, then in pairs
                  if k.split()[0] not in RESUME_MAY_CHANGE and now != then]
        if differ:
            raise P.InputError(f"{latest}/run.json: resume with the run's own settings; these differ: "
                               + ', '.join(differ))
        return saved
    if (os.path.islink(out / 'latest') or own_checkpoints(out)) and not cfg.overwrite:
        raise P.InputError(f"{out}: holds checkpoints of another run; resume it with init_from=resume, "
                           "set overwrite=True to replace it, or choose another out_dir")
    return None


def logged_step(line):
    """The step of a log.jsonl line; a line torn by a kill counts as after every step (dropped)."""
    try:
        return json.loads(line)['step']
    except (ValueError, KeyError, TypeError):
        return math.inf


def read_train_state(path, mmap=False):
    return M.read_consolidated(path, 'resume from an earlier step_* or start a new run with init_from=', mmap)


def restore(cfg, model, optimizer, step, proc):
    """Resume: trainable weights and optimizer state from latest/train_state.pth (the frozen weights were
    rebuilt), and log.jsonl cut back to the checkpoint (the steps after it will be redone)."""
    resume_dir = (Path(cfg.out_dir) / 'latest').resolve()
    saved = read_train_state(resume_dir / 'train_state.pth') if proc.rank == 0 else {}
    opts = StateDictOptions(full_state_dict=True, broadcast_from_rank0=proc.world > 1, strict=False)
    set_model_state_dict(model, saved.get('trainable', {}), options=opts)
    set_optimizer_state_dict(model, optimizer, saved.get('optimizer', {}), options=opts)
    if proc.rank == 0:
        log = Path(cfg.out_dir) / 'log.jsonl'
        lines = log.read_text().splitlines() if log.exists() else []
        with P.atomic_path(log) as tmp:
            tmp.write_text(''.join(l + '\n' for l in lines if logged_step(l) <= step))
    print0(f"resumed from {resume_dir} at step {step}", rank=proc.rank)


# -----------------------------------------------------------------------------------------------
# The loop


def loss_sum(model, x, y):
    """Summed cross-entropy over the trained positions (label IGNORE elsewhere), and their count."""
    logits = model(x)
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1), ignore_index=IGNORE, reduction='sum')
    return loss, (y != IGNORE).sum()


def collate(samples, device):
    """A micro-batch (x, y) from (x, y) pairs of any lengths, right-padded to the longest with IGNORE labels.
    Attention is causal, so padding after a sequence cannot change what it computes (Alpaca's collator pads
    the same way). Pretraining windows are all block_size long: then this is a plain stack."""
    T = max(len(x) for x, _ in samples)
    x = torch.zeros(len(samples), T, dtype=torch.long)
    y = torch.full((len(samples), T), IGNORE, dtype=torch.long)
    for i, (xi, yi) in enumerate(samples):
        x[i, :len(xi)], y[i, :len(yi)] = xi, yi
    return x.to(device), y.to(device)


def autocast(cfg, proc):
    """Mixed precision in one process. Under FSDP it stays off, in training and evaluation alike: the
    MixedPrecisionPolicy already computes each block in the compute dtype from float32 weights."""
    enabled = cfg.dtype != 'float32' and proc.world == 1
    return torch.autocast(proc.device.type, getattr(torch, cfg.dtype), enabled=enabled)


@torch.no_grad()
def evaluate_loss(model, eval_sets, cfg, proc):
    """{name: mean held-out loss per token}; each process scores its share of the windows."""
    model.eval()
    out = {}
    for name, windows in eval_sets.items():
        total = torch.zeros(2, dtype=torch.float64, device=proc.device)
        for i in range(proc.rank * cfg.batch_size, len(windows), proc.world * cfg.batch_size):
            x, y = collate(windows[i:i + cfg.batch_size], proc.device)
            with autocast(cfg, proc):
                loss, count = loss_sum(model, x, y)
            total += torch.stack([loss.double(), count.double()])
        total = all_reduce_sum(total, proc.world)
        out[name] = (total[0] / total[1]).item()
    model.train()
    return out


def train_step(cfg, model, get_sample, step, proc):
    """Forward and backward over this process's micro-batches of step's global batch, then the gradients
    clipped. Returns (mean loss per trained token, gradient norm, tokens fed), all over the global batch."""
    rank, world, device = proc.rank, proc.world, proc.device
    micro = []
    for m in range(cfg.grad_accum):
        first = (m * world + rank) * cfg.batch_size  # the micro-batch's first index in the global batch
        micro.append((first, *collate([get_sample(step, first + i) for i in range(cfg.batch_size)], device)))
    # the global counts of trained and fed tokens: the first normalises the loss, the second is the throughput
    fed = sum(x.numel() for _, x, _ in micro)
    counts = torch.stack([sum((y != IGNORE).sum() for _, _, y in micro).double(),
                          torch.tensor(float(fed), dtype=torch.float64, device=device)])
    n_trained, n_fed = all_reduce_sum(counts, world)
    step_loss = torch.zeros((), dtype=torch.float64, device=device)
    for m, (first, x, y) in enumerate(micro):
        if world > 1:  # FSDP reduces gradients once, after the last micro-batch
            model.set_requires_gradient_sync(m == cfg.grad_accum - 1)
        # dropout: a function of (seed, step, micro-batch), like the data, so that one process
        # draws the same masks as eight for the same global batch
        torch.manual_seed(hash((cfg.seed, step, first)) % 2**62)
        with autocast(cfg, proc):
            loss, _ = loss_sum(model, x, y)
        (loss * (world / n_trained)).backward()  # FSDP averages over processes: this makes it the global mean
        step_loss += loss.detach().double()
    step_loss = (all_reduce_sum(step_loss, world) / n_trained).item()
    norm = torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad],
                                          cfg.grad_clip if cfg.grad_clip > 0 else float('inf'))
    norm = norm.full_tensor() if hasattr(norm, 'full_tensor') else norm
    return step_loss, norm.item(), n_fed.item()


def report(log, record, line):
    """On rank 0, the one holding log.jsonl (None elsewhere): print the line, append the record."""
    if log:
        print(line, flush=True)
        log.write(json.dumps(record) + '\n')
        log.flush()


def train(cfg, model, optimizer, data, record, start_step, proc):
    """The training loop, shared by pretrain.py and sft.py. data is make_data's (get_sample, eval_sets,
    derived): get_sample(step, index) -> (x, y) is the index-th sequence of step's global batch (a window,
    or an example of any length up to block_size), from which each process takes its micro-batches;
    eval_sets: held-out sequences by name; derived: max_steps, warmup_steps and block_size as the data
    makes them. record: what each checkpoint's run.json holds besides its step."""
    get_sample, eval_sets, derived = data
    log = open(Path(cfg.out_dir) / 'log.jsonl', 'a') if proc.rank == 0 else None
    flops, peak = flops_per_token(model, derived.block_size, cfg.mode), cfg.peak_flops or device_peak_flops(proc.device)
    timed_s = timed_tokens = 0  # since the last log line: training steps only (not evaluation or saving)
    step = start_step
    P.on_interrupt(lambda sig: interrupted(cfg, sig, step))  # the loop's step, as it is when the signal comes
    for step in range(start_step, derived.max_steps + 1):
        if step % cfg.eval_interval == 0 or step == derived.max_steps:
            losses = evaluate_loss(model, eval_sets, cfg, proc)
            ppl = {k: math.exp(min(v, 50)) for k, v in losses.items()}
            report(log, {'step': step, **{f'val_loss/{k}': v for k, v in losses.items()},
                         **{f'val_ppl/{k}': v for k, v in ppl.items()}},
                   f"step {step}: " + '  '.join(f"{k} loss {v:.4f} ppl {ppl[k]:.2f}" for k, v in losses.items()))
        if step == derived.max_steps:
            break
        t0 = time.perf_counter()
        factor = lr_factor(step, derived.warmup_steps, derived.max_steps, cfg.min_lr_ratio)
        for g in optimizer.param_groups:
            g['lr'] = g['base_lr'] * factor
        loss, norm, n_fed = train_step(cfg, model, get_sample, step, proc)
        if not (math.isfinite(loss) and math.isfinite(norm)):
            latest = Path(cfg.out_dir) / 'latest'
            restart = f"and init_from={latest.resolve()} (the last checkpoint; its weights may already be diverging)"
            sys.exit(f"error: lr={cfg.lr}: the loss (or gradient norm) is not finite at step {step}; nothing was "
                     f"updated. Start a new run with a lower lr {restart if latest.exists() else ''}; also check "
                     "the data")
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        done = step + 1
        logging = done % cfg.log_interval == 0 or done == derived.max_steps
        if logging and proc.device.type == 'cuda':
            torch.cuda.synchronize()  # the step's kernels end within its time
        timed_s, timed_tokens = timed_s + time.perf_counter() - t0, timed_tokens + n_fed
        if logging:
            tokens_per_s = timed_tokens / timed_s
            mfu = flops * tokens_per_s / (peak * proc.world) if peak else None
            stats = {'step': done, 'loss': loss, 'lr': cfg.lr * factor, 'grad_norm': norm, 'tokens_per_s': tokens_per_s,
                     'mfu': mfu}
            if proc.device.type == 'cuda':
                stats['max_memory_gib'] = torch.cuda.max_memory_allocated() / 2**30
            report(log, stats, f"step {done}: loss {loss:.4f}  lr {cfg.lr * factor:.2e}  {tokens_per_s:,.0f} tok/s"
                   + (f"  MFU {mfu:.1%}" if mfu else ''))
            timed_s = timed_tokens = 0
        if done % cfg.ckpt_interval == 0 or done == derived.max_steps:
            save_checkpoint(cfg, model, optimizer, done, record, proc)
    if log:
        log.close()


def run_stage(cfg, make_data):
    """Everything around the loop, shared with sft.py: processes, the run directory, the model, the
    optimiser, resume. make_data(cfg, data_meta, rank, world) -> (get_sample, eval_sets, derived).
    The settings were checked before (check_settings), so that every process stops at once, the
    same way; nothing here assigns them (sft.py's derived values come back in `derived`)."""
    proc = setup_distributed(cfg)
    P.on_interrupt(lambda sig: interrupted(cfg, sig, None))
    data_meta = read_meta(cfg.data_dir, ('tokenizer', 'tokenizer_sha256', 'vocab_size'))
    data = make_data(cfg, data_meta, proc.rank, proc.world)  # checks the shards before the model is built
    derived = data[2]
    held = lock_out_dir(cfg, proc)  # for the whole run: a second run on out_dir is refused
    saved = start_run(cfg, derived)  # the run.json of the run to resume, or None
    check_in_the_way(cfg, saved['step'] if saved else 0, derived.max_steps)
    if saved and not same_tokenizer(saved.get('data', {}), data_meta):
        raise P.InputError(f"{cfg.data_dir}/meta.json: the shards were remade with another tokenizer since this "
                           "run started; resume with the run's own data, or start a new run")
    # resuming: rebuild exactly what the run started from (run.json written before 'init_from' was kept
    # apart from the settings holds it there), then load what it has trained since
    init_from = cfg.init_from if not saved else saved.get('init_from') or saved['config']['init_from']
    start = starting_point(cfg, init_from, data_meta, derived.block_size)
    if data_meta['vocab_size'] > start.args.vocab_size:
        raise P.InputError(f"{cfg.data_dir}/meta.json: token ids up to {data_meta['vocab_size'] - 1} but the model has "
                           f"{start.args.vocab_size} embeddings; use the model's tokenizer, or resize_vocab=True")
    model, trainable, total = prepare_model(cfg, start, proc)
    print0(f"{cfg.mode}: training {trainable:,} of {total:,} parameters on {proc.world} process(es), "
           f"{cfg.batch_size * cfg.grad_accum * proc.world:,} sequences of up to {derived.block_size} tokens per step",
           rank=proc.rank)
    optimizer = make_optimizer(cfg, model, proc.device)
    if saved:
        restore(cfg, model, optimizer, saved['step'], proc)  # the step: run.json's, written beside train_state.pth
    elif proc.rank == 0:  # overwrite=True: the old run goes only now, once the new one has passed every check
        for old in own_checkpoints(cfg.out_dir):
            shutil.rmtree(old)
        for f in ('latest', 'log.jsonl'):
            (Path(cfg.out_dir) / f).unlink(missing_ok=True)
    Path(cfg.out_dir).mkdir(parents=True, exist_ok=True)
    record = {'tokenizer': str(start.tokenizer), 'source_dtype': str(start.source_dtype).removeprefix('torch.'),
              'tied': start.tied, 'template': data_meta.get('template'), 'data': data_meta, 'init_from': init_from,
              'settings': vars(cfg), 'derived': vars(derived)}
    train(cfg, model, optimizer, data, record, saved['step'] if saved else 0, proc)
    if held:  # rank 0's lock on out_dir (an error or a kill before this releases it too)
        held.close()
    if proc.world > 1:
        dist.destroy_process_group()


def pretrain_data(cfg, data_meta, rank, world):
    """Training windows drawn by the language mixture; fixed held-out windows per language (as many
    whatever the number of processes, so that every run of the same global batch sees the same)."""
    train = {k: v for k, v in open_shards(cfg, 'train', data_meta['vocab_size']).items() if v.mask is None}
    for lang in cfg.mixture:
        if lang not in train:
            raise P.InputError(f"{cfg.data_dir}: no {lang}.train.bin for mixture language {lang!r}; "
                               f"languages here: {', '.join(train) or 'none'}")
        if len(train[lang].tokens) < cfg.block_size + 1:
            raise P.InputError(f"{train[lang].path}: {len(train[lang].tokens)} tokens, "
                               f"too few for block_size={cfg.block_size}")
    n_eval = cfg.eval_batches * cfg.batch_size * cfg.grad_accum * world
    val = {k: v for k, v in open_shards(cfg, 'val', data_meta['vocab_size']).items() if v.mask is None}
    for shard in val.values():
        if len(shard.tokens) <= cfg.block_size + 1:
            print0(f"note: {shard.path}: {len(shard.tokens)} tokens, too few for a window of block_size="
                   f"{cfg.block_size}; no held-out loss for it", rank=rank)
    eval_sets = {lang: eval_windows(shard, n_eval, cfg.block_size) for lang, shard in val.items()
                 if len(shard.tokens) > cfg.block_size + 1}
    derived = SimpleNamespace(max_steps=cfg.max_steps, warmup_steps=cfg.warmup_steps, block_size=cfg.block_size)
    return window_sampler(train, cfg.mixture, cfg.block_size, cfg.seed), eval_sets, derived


if __name__ == '__main__':
    cfg = P.configure(globals())
    check_settings(cfg)  # before the process group: every process stops at once, the same way
    run_stage(P.ReadOnly(**vars(cfg)), pretrain_data)
