"""Instruction tuning on masked shards, with pretrain.py's loop.

    python sft.py                                        # the demo: the Hindi+English model on English instructions
    python sft.py configs/demo_sft_commit.py             # COMMIT: code-mixed instructions, English template
    torchrun --nproc_per_node=8 sft.py configs/X.py      # the same on 8 GPUs

tokenize_prep.py wrote the examples: a prompt (BOS, template, instruction, input) whose tokens are
masked, then the response and EOS, which are trained (Alpaca's rule). Here a step takes
batch_size x grad_accum x processes examples (Alpaca and x-LLaMA: 128), a new seeded order each
epoch, and each micro-batch is its examples right-padded to the longest, as Alpaca's collator does.
Every setting of pretrain.py applies (python sft.py --help lists them all); those below are the ones
instruction tuning changes or adds.
"""

import os
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import torch

import plumbing as P
import pretrain
from pretrain import IGNORE
from tokenize_prep import read_meta, read_shard

# -----------------------------------------------------------------------------------------------
# settings: pretrain.py's, with these changes and additions
out_dir = 'out/demo/sft_en'
init_from = 'out/demo/cpt_hi_en/latest'  # a Meta-format checkpoint (pretrain.py's output), or 'resume'
data_dir = 'out/demo/data_ext'
train_shard = 'sft.train.bin'  # the instruction shard in data_dir (tokenize_prep.py's)
val_shard = 'sft.val.bin'  # held-out instructions ('' = none)
template = 'alpaca'  # must be the template the shards were made with (meta.json); recorded with the checkpoint
epochs = 1  # the demo sees its examples once; Alpaca and x-LLaMA (App. A): 3 (configs/)
max_steps = 0  # 0 = epochs x steps per epoch
warmup_ratio = 0.03  # Alpaca: 3% linear warmup, then cosine decay
warmup_steps = -1  # -1 = warmup_ratio of max_steps
min_lr_ratio = 0.0  # Alpaca (HF Trainer's cosine schedule): decay to 0
lr = 1e-3  # the demo's tiny model (3e-4 reads worse: README.md); 2e-5 at 7B (Alpaca; x-LLaMA App. A): configs/
weight_decay = 0.0  # Alpaca: weight_decay 0
beta2 = 0.999  # Alpaca: HF Trainer's AdamW (betas 0.9, 0.999)
batch_size = 8  # examples per micro-batch per process
grad_accum = 2  # global batch = batch_size x grad_accum x processes examples (Alpaca and x-LLaMA: 128)
block_size = 512  # the longest example; longer ones are cut (Alpaca: model_max_length 512)
eval_interval = 100
ckpt_interval = 100


def labels(tokens, mask):
    """Next-token targets for an example: tokens[1:], IGNORE where the target is masked (the prompt)."""
    y = torch.from_numpy(tokens[1:].astype(np.int64))
    return y.masked_fill(torch.from_numpy(mask[1:] == 0), IGNORE)


def examples(shard, bos_id, block_size):
    """The (start, end) spans of a shard's examples, each starting with BOS and cut to block_size + 1
    tokens (its start: the prompt), those left with no trained token dropped. Returns (spans,
    truncated count, dropped count)."""
    starts = np.flatnonzero(np.asarray(shard.tokens) == bos_id)
    if len(starts) == 0 or starts[0] != 0:
        raise P.InputError(f"{shard.path}: examples must start with BOS ({bos_id}); re-run tokenize_prep.py")
    ends = np.append(starts[1:], len(shard.tokens))
    cut = np.minimum(ends, starts + block_size + 1)
    trained = np.concatenate([[0], np.cumsum(shard.mask, dtype=np.int64)])  # trained[i]: trained tokens before i
    keep = trained[cut] - trained[starts + 1] > 0
    spans = [(int(a), int(b)) for a, b in zip(starts[keep], cut[keep])]
    return spans, int((ends > cut).sum()), int((~keep).sum())


def example(shard, span):
    """(x, y) of one example."""
    tokens = np.asarray(shard.tokens[span[0]:span[1]], dtype=np.int64)
    return torch.from_numpy(tokens[:-1]), labels(tokens, shard.mask[span[0]:span[1]])


def open_instructions(cfg, name, meta):
    shard = read_shard(os.path.join(cfg.data_dir, name), meta['vocab_size'])
    if shard.mask is None:
        raise P.InputError(f"{shard.path}: no loss mask: this is a text shard; instruction tuning needs the "
                           "instruction shards tokenize_prep.py writes from Alpaca-format data")
    if meta.get('template') != cfg.template:
        raise P.InputError(f"{cfg.data_dir}/meta.json: the shards were made with template "
                           f"{meta.get('template')!r}, not {cfg.template!r}; set template to match, or re-run "
                           "tokenize_prep.py with this template")
    return shard


def instruction_data(cfg, meta, rank, world):
    """make_data for pretrain.run_stage: (get_sample, eval_sets, derived). get_sample(step, index) is the
    index-th example of step's global batch, in a new seeded order each epoch (the last step of an epoch
    is topped up from the start of that epoch's order); the held-out instructions are scored at each
    evaluation; derived: max_steps and warmup_steps as epochs and warmup_ratio make them (unless set),
    and block_size cut to the longest example (a resumed run derives the same ones)."""
    meta = read_meta(cfg.data_dir, ('bos_id', 'template', 'vocab_size'))  # the fields instruction shards add
    shard = open_instructions(cfg, cfg.train_shard, meta)
    spans, truncated, dropped = examples(shard, meta['bos_id'], cfg.block_size)
    if not spans:
        raise P.InputError(f"{shard.path}: no example has a trained token within block_size={cfg.block_size}")
    per_step = cfg.batch_size * cfg.grad_accum * world
    steps_per_epoch = -(-len(spans) // per_step)
    max_steps = cfg.max_steps or cfg.epochs * steps_per_epoch
    warmup_steps = cfg.warmup_steps if cfg.warmup_steps >= 0 else round(cfg.warmup_ratio * max_steps)
    if warmup_steps > max_steps:
        raise P.InputError(f"warmup_steps={warmup_steps}: more than the run's {max_steps} steps ({cfg.epochs} "
                           "epochs); lower warmup_steps, or use warmup_ratio")
    pretrain.print0(f"{shard.path}: {len(spans):,} examples; {max_steps} steps ({cfg.epochs} epochs) of "
                    f"{per_step} examples; {truncated} cut to block_size={cfg.block_size}, {dropped} dropped "
                    "(no trained token left)", rank=rank)
    # the model is built for block_size positions: no more than the longest example needs (a huge
    # block_size would otherwise size the RoPE tables, and the MFU estimate, for nothing)
    derived = SimpleNamespace(max_steps=max_steps, warmup_steps=warmup_steps,
                              block_size=max(end - start for start, end in spans) - 1)

    @lru_cache(maxsize=2)
    def order(epoch):
        return np.random.default_rng([cfg.seed, epoch]).permutation(len(spans))

    def get_sample(step, index):
        epoch = step // steps_per_epoch
        local = (step - epoch * steps_per_epoch) * per_step + index
        return example(shard, spans[order(epoch)[local % len(spans)]])

    eval_sets = {}
    if cfg.val_shard:
        val = open_instructions(cfg, cfg.val_shard, meta)
        held_out, _, dropped = examples(val, meta['bos_id'], derived.block_size)
        if held_out:
            eval_sets['instructions'] = [example(val, span) for span in held_out[:cfg.eval_batches * per_step]]
        if dropped:
            pretrain.print0(f"note: {val.path}: {dropped} of {dropped + len(held_out)} held-out examples have no "
                            f"trained token within block_size={derived.block_size}"
                            + ('' if held_out else '; no held-out loss'), rank=rank)
    return get_sample, eval_sets, derived


def check_settings(cfg):
    """pretrain.py's checks (max_steps=0 and warmup_steps=-1 are derived from the data), and this file's."""
    if cfg.max_steps < 0 or (cfg.max_steps == 0 and cfg.epochs < 1):
        raise P.InputError(f"epochs={cfg.epochs}, max_steps={cfg.max_steps}: set epochs to 1 or more "
                           "(max_steps=0 derives the steps from it), or max_steps to a number of steps")
    if not 0 <= cfg.warmup_ratio <= 1:
        raise P.InputError(f"warmup_ratio={cfg.warmup_ratio}: a share of max_steps, between 0 and 1")
    if not cfg.train_shard:
        raise P.InputError("train_shard: name the instruction shard in data_dir, like sft.train.bin")
    pretrain.check_settings(cfg, steps_from_data=True)


if __name__ == '__main__':
    cfg = P.configure(globals(), base=pretrain)
    check_settings(cfg)  # before anything is read, on every process alike
    pretrain.run_stage(P.ReadOnly(**vars(cfg)), instruction_data)
