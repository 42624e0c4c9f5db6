"""COMMIT's α sweep for Hindi: commit_sft_hi.py's run (the sweep's α 0.9) on Alpaca code-mixed at α 1.0
(configs/commit_data_hi_a10.py), from the same aligned model. COMMIT does not say whether its sweep started
from the aligned model or from LLaMA; we keep every setting but α as in commit_sft_hi.py (ours).
    torchrun --nproc_per_node=8 sft.py configs/commit_sft_hi_a10.py
"""
init_from = 'out/commit/align_hi/latest'
out_dir = 'out/commit/sft_hi_a10'
data_dir = 'data/commit_hi_a10'
train_shard = 'commit.train.bin'
val_shard = 'commit.val.bin'
# COMMIT README: 1210 steps of 16 sequences x 512 tokens, which EasyLM packs from whole examples: about
# one epoch of Alpaca (~170 tokens an example). sft.py's batch counts examples, so: one epoch at 48
# examples a step, about the same tokens per step (our translation of their packed batch).
epochs = 1
warmup_ratio = 0.03  # COMMIT: 36 warmup steps of 1210
lr = 2e-5
min_lr_ratio = 0.005  # COMMIT: decay to 1e-7 = 0.005 x 2e-5
weight_decay = 0.0
beta2 = 0.999
batch_size = 6  # x 8 GPUs = 48 examples a step
grad_accum = 1
block_size = 512
eval_interval = 200
ckpt_interval = 605
device = 'cuda'
dtype = 'bfloat16'
