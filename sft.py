"""Instruction tuning on masked shards, with pretrain.py's loop.

    python sft.py                                        # the demo: the Hindi+English model on English instructions + translation
    python sft.py configs/demo_sft_commit.py             # COMMIT: code-mixed instructions, English template
    torchrun --nproc_per_node=8 sft.py configs/X.py      # the same on 8 GPUs

tokenize_prep.py wrote the examples: a prompt (BOS, template, instruction, input) whose tokens are
masked, then the response and EOS, which are trained (Alpaca's rule). Here they are shuffled with
the seed and packed into blocks of block_size + 1 tokens; by default each example attends only to
itself, so packing changes nothing but speed. Every setting of pretrain.py applies (python sft.py
--help lists them all); those below are the ones instruction tuning changes or adds.
"""

import os
from types import SimpleNamespace

import numpy as np
import torch

import model as M
import pretrain
from pretrain import IGNORE
from tokenize_prep import read_shard

# -----------------------------------------------------------------------------------------------
# settings: pretrain.py's, with these changes and additions
out_dir = 'out/demo/sft'
init_from = 'out/demo/cpt_hi_en/latest'  # a Meta-format checkpoint (pretrain.py's output), or 'resume'
data_dir = 'out/demo/data_ext'
train_shard = 'sft.train.bin'  # the instruction shard in data_dir (tokenize_prep.py's)
val_shard = 'sft.val.bin'  # held-out instructions ('' = none)
template = 'alpaca'  # must be the template the shards were made with (meta.json); recorded with the checkpoint
epochs = 3  # Alpaca and x-LLaMA: 3 epochs
max_steps = 0  # 0 = epochs x steps per epoch
warmup_ratio = 0.03  # Alpaca: 3% linear warmup, then cosine decay
warmup_steps = -1  # -1 = warmup_ratio of max_steps
isolate_examples = True  # packed examples attend only to themselves (False: across the block, a little faster)
lr = 3e-4  # the demo's tiny model (1e-3 unlearns its English); 2e-5 at 7B (Alpaca README; x-LLaMA), see configs/
weight_decay = 0.0  # Alpaca: weight_decay 0
batch_size = 8  # sequences per micro-batch per process
grad_accum = 2  # global batch = batch_size x grad_accum x processes (128 in Alpaca and x-LLaMA)
block_size = 512  # Alpaca: model_max_length 512
eval_interval = 100
ckpt_interval = 100


def labels(tokens, mask):
    """Next-token targets for a block: tokens[1:], IGNORE where the target is masked (the prompt)."""
    y = torch.from_numpy(tokens[1:].astype(np.int64))
    return y.masked_fill(torch.from_numpy(mask[1:] == 0), IGNORE)


def pack(shard, block_size, bos_id, seed):
    """Blocks of whole examples (each starts with BOS), shuffled with the seed and packed greedily
    into block_size + 1 tokens: a list of blocks, each a list of (start, end) spans of the shard.
    An example longer than a block is cut to one block (its start: the prompt); one left with no
    trained token is dropped. Returns (blocks, truncated count, dropped count)."""
    starts = np.flatnonzero(np.asarray(shard.tokens) == bos_id)
    if len(starts) == 0 or starts[0] != 0:
        raise M.InputError(f"{shard.path}: examples must start with BOS ({bos_id}); re-run tokenize_prep.py")
    ends = np.append(starts[1:], len(shard.tokens))
    cap = block_size + 1
    blocks, current, used, truncated, dropped = [], [], 0, 0, 0
    for i in np.random.default_rng(seed).permutation(len(starts)):
        start, end = int(starts[i]), int(min(ends[i], starts[i] + cap))
        truncated += int(ends[i] - starts[i] > cap)
        if not shard.mask[start + 1:end].any():
            dropped += 1
            continue
        if used + end - start > cap:
            blocks.append(current)
            current, used = [], 0
        current.append((start, end))
        used += end - start
    return blocks + [current] * bool(current), truncated, dropped


def block_arrays(shard, spans, block_size, pad_id):
    """The tokens and mask of one packed block, padded to block_size + 1 (pad: not trained)."""
    tokens = np.full(block_size + 1, pad_id, dtype=np.int64)
    mask = np.zeros(block_size + 1, dtype=np.uint8)
    at = 0
    for start, end in spans:
        tokens[at:at + end - start] = shard.tokens[start:end]
        mask[at:at + end - start] = shard.mask[start:end]
        at += end - start
    return tokens, mask


def example_mask(bos_id):
    """make_mask(x) for the loop: causal attention within each packed example only. RoPE encodes
    relative positions, so an example sees exactly what it would alone in a batch of its own."""
    def make_mask(x):
        doc = torch.cumsum(x == bos_id, dim=1)  # (B, T): which example each position belongs to
        same = doc[:, :, None] == doc[:, None, :]  # (B, T, T)
        causal = torch.ones(x.size(1), x.size(1), dtype=torch.bool, device=x.device).tril()
        return (same & causal)[:, None]  # (B, 1, T, T)
    return make_mask


def open_instructions(cfg, name, meta):
    shard = read_shard(os.path.join(cfg.data_dir, name))
    if shard.mask is None:
        raise M.InputError(f"{shard.path}: no loss mask: this is a text shard; instruction tuning needs the "
                           "instruction shards tokenize_prep.py writes from Alpaca-format data")
    if meta.get('template') != cfg.template:
        raise M.InputError(f"{cfg.data_dir}/meta.json: the shards were made with template "
                           f"{meta.get('template')!r}, not {cfg.template!r}; set template to match, or re-run "
                           "tokenize_prep.py with this template")
    return shard


def schedule(cfg, meta, world):
    """Pack the training shard, and set max_steps and warmup_steps from epochs and warmup_ratio
    (before the run starts, so that a resumed run computes the same ones). Returns (shard, blocks)."""
    shard = open_instructions(cfg, cfg.train_shard, meta)
    blocks, truncated, dropped = pack(shard, cfg.block_size, meta['bos_id'], cfg.seed)
    if not blocks:
        raise M.InputError(f"{shard.path}: no example has a trained token within block_size={cfg.block_size}")
    per_step = cfg.batch_size * cfg.grad_accum * world
    if cfg.max_steps <= 0:
        cfg.max_steps = cfg.epochs * -(-len(blocks) // per_step)
    if cfg.warmup_steps < 0:
        cfg.warmup_steps = round(cfg.warmup_ratio * cfg.max_steps)
    if int(os.environ.get('RANK', 0)) == 0:
        print(f"{shard.path}: {len(blocks):,} blocks of {cfg.block_size + 1} tokens; {cfg.max_steps} steps "
              f"({cfg.epochs} epochs) of {per_step} blocks; {truncated} examples cut to a block, {dropped} dropped")
    return shard, blocks


def data_from(shard, blocks):
    """make_data(cfg, meta, world) for pretrain.run_stage: get_sample(step, index) over the packed
    blocks, a new seeded order each epoch, and the held-out instructions."""
    def make_data(cfg, meta, world):
        per_step = cfg.batch_size * cfg.grad_accum * world
        steps_per_epoch = -(-len(blocks) // per_step)
        pad = meta['eos_id']

        def get_sample(step, index):
            epoch = step // steps_per_epoch
            order = np.random.default_rng([cfg.seed, epoch]).permutation(len(blocks))
            local = (step - epoch * steps_per_epoch) * per_step + index
            tokens, mask = block_arrays(shard, blocks[order[local % len(blocks)]], cfg.block_size, pad)
            return torch.from_numpy(tokens[:-1]), labels(tokens, mask)

        eval_sets = {}
        if cfg.val_shard:
            val = open_instructions(cfg, cfg.val_shard, meta)
            val_blocks = pack(val, cfg.block_size, meta['bos_id'], cfg.seed)[0][:cfg.eval_batches * per_step]
            eval_sets['instructions'] = [
                (torch.from_numpy(t[:-1]), labels(t, m))
                for t, m in (block_arrays(val, b, cfg.block_size, pad) for b in val_blocks)]
        return get_sample, eval_sets
    return make_data


def check_settings(cfg):
    """pretrain.py's checks (max_steps and warmup_steps may still be derived), and this file's."""
    if cfg.max_steps < 0 or (cfg.max_steps == 0 and cfg.epochs < 1):
        raise M.InputError(f"epochs={cfg.epochs}, max_steps={cfg.max_steps}: set epochs to 1 or more "
                           "(max_steps=0 derives the steps from it), or max_steps to a number of steps")
    if not 0 <= cfg.warmup_ratio <= 1:
        raise M.InputError(f"warmup_ratio={cfg.warmup_ratio}: a share of max_steps, between 0 and 1")
    if not cfg.train_shard:
        raise M.InputError("train_shard: name the instruction shard in data_dir, like sft.train.bin")
    pretrain.check_settings(SimpleNamespace(**{**vars(cfg), 'max_steps': cfg.max_steps or 1,
                                               'warmup_steps': max(cfg.warmup_steps, 0)}))


if __name__ == '__main__':
    cfg = M.configure(globals(), base=pretrain)
    check_settings(cfg)  # before anything is read, on every process alike
    meta = pretrain.read_meta(cfg.data_dir, ('tokenizer', 'tokenizer_sha256', 'vocab_size', 'bos_id', 'eos_id'))
    shard, blocks = schedule(cfg, meta, int(os.environ.get('WORLD_SIZE', 1)))
    pretrain.run_stage(cfg, data_from(shard, blocks), example_mask(meta['bos_id']) if cfg.isolate_examples else None)
