"""LLaMA Beyond English, sec. 5: joint Chinese and English further pretraining keeps English, which
Chinese alone erodes. 1M samples, 7813 steps x 128, a fifth of them English (our split).
    torchrun --nproc_per_node=8 pretrain.py configs/lbe_cpt_1m_joint.py
"""
out_dir = 'out/lbe/cpt_1m_joint'
mixture = {'zh': 0.8, 'en': 0.2}
max_steps = 7813

init_from = 'models/llama-7b'  # LLaMA 7B (v1), as all four papers; any Meta checkpoint works
data_dir = 'data/lbe_zh'
mode = 'full'
block_size = 512  # a "sample" is one window: LBE Table 1, "1M samples ~ 0.5B tokens"
batch_size = 4  # x grad_accum 4 x 8 GPUs = 128 samples a step (our choice: LBE states no batch)
grad_accum = 4
lr = 2e-5  # our choice: LBE states no pretraining hyper-parameters; Alpaca's and x-LLaMA's rate
warmup_steps = 236
weight_decay = 0.0  # our choice, as Alpaca
eval_interval = 1953
ckpt_interval = 1953
device = 'cuda'
dtype = 'bfloat16'
activation_checkpointing = True
