"""LLaMA Beyond English: further pretraining of LLaMA 7B (v1) on 100K Chinese samples, original
vocabulary (the paper's scales: 10K, 100K, 1M). 781 steps x 128 samples.
    torchrun --nproc_per_node=8 pretrain.py configs/lbe_cpt_100k.py
"""
out_dir = 'out/lbe/cpt_100k'
mixture = {'zh': 1.0}  # Chinese alone: English erodes (compare lbe_cpt_1m_joint.py)
max_steps = 781  # 100K samples / 128 a step

init_from = 'models/llama-7b'  # LLaMA 7B (v1), as all four papers; any Meta checkpoint works
data_dir = 'data/lbe_zh'
mode = 'full'
block_size = 512  # a "sample" is one window: LBE Table 1, "1M samples ~ 0.5B tokens"
batch_size = 4  # x grad_accum 4 x 8 GPUs = 128 samples a step (our choice: LBE states no batch)
grad_accum = 4
lr = 2e-5  # our choice: LBE states no pretraining hyper-parameters; Alpaca's and x-LLaMA's rate
warmup_steps = 23
weight_decay = 0.0  # our choice, as Alpaca
eval_interval = 195
ckpt_interval = 195
device = 'cuda'
dtype = 'bfloat16'
activation_checkpointing = True
