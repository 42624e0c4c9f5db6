"""COMMIT's alignment stage for Tamil: continued pretraining of LLaMA 7B on code-mixed Wikipedia
(COMMIT README: 10000 steps, batch 16 x 512 tokens, AdamW lr 2e-5, b2 0.999, no weight decay,
300 warmup steps, decay to 1e-7). COMMIT also sets 0.05 dropout, which this model does not have.
    torchrun --nproc_per_node=8 pretrain.py configs/commit_align_ta.py
"""
init_from = 'models/llama-7b'  # LLaMA 7B (v1), as all four papers; any Meta checkpoint works
out_dir = 'out/commit/align_ta'
data_dir = 'data/commit_ta'
mixture = {'ta': 1.0}
mode = 'full'
block_size = 512
batch_size = 2  # x 8 GPUs = 16
max_steps = 10000
lr = 2e-5
min_lr_ratio = 0.005  # 1e-7 / 2e-5
warmup_steps = 300
weight_decay = 0.0
beta2 = 0.999
eval_interval = 1000
ckpt_interval = 2000
device = 'cuda'
dtype = 'bfloat16'
