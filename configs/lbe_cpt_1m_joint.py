"""LLaMA Beyond English, sec. 5: joint Chinese and English further pretraining keeps English, which
Chinese alone erodes. 1M samples, 7813 steps x 128, a fifth of them English (our split).
    torchrun --nproc_per_node=8 pretrain.py configs/lbe_cpt_1m_joint.py
"""
out_dir = 'out/lbe/cpt_1m_joint'
mixture = {'zh': 0.8, 'en': 0.2}
max_steps = 7813

init_from = 'models/llama-2-7b'
data_dir = 'data/lbe_zh'
mode = 'full'
block_size = 1024  # a "sample" here is one window of block_size tokens
batch_size = 4  # x grad_accum 4 x 8 GPUs = 128 samples a step
grad_accum = 4
lr = 2e-5  # not stated for CPT in the paper; the value its SFT and x-LLaMA use
warmup_steps = 236
weight_decay = 0.0
eval_interval = 1953
ckpt_interval = 1953
device = 'cuda'
dtype = 'bfloat16'
activation_checkpointing = True
