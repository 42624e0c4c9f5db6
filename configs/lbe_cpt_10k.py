"""LLaMA Beyond English: further pretraining of LLaMA 2 7B on 10K Chinese samples, original
vocabulary (the paper's scales: 10K, 100K, 1M). 78 steps x 128 samples.
    torchrun --nproc_per_node=8 pretrain.py configs/lbe_cpt_10k.py
"""
out_dir = 'out/lbe/cpt_10k'
mixture = {'zh': 1.0}  # Chinese alone: English erodes (compare lbe_cpt_1m_joint.py)
max_steps = 78  # 10K samples / 128 a step

init_from = 'models/llama-2-7b'
data_dir = 'data/lbe_zh'
mode = 'full'
block_size = 1024  # a "sample" here is one window of block_size tokens
batch_size = 4  # x grad_accum 4 x 8 GPUs = 128 samples a step
grad_accum = 4
lr = 2e-5  # not stated for CPT in the paper; the value its SFT and x-LLaMA use
warmup_steps = 2
weight_decay = 0.0
eval_interval = 19
ckpt_interval = 19
device = 'cuda'
dtype = 'bfloat16'
activation_checkpointing = True
