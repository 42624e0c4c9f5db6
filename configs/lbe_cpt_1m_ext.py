"""LLaMA Beyond English "EXT": the same 1M samples in the extended vocabulary (lbe_data_zh_ext.py); the
embeddings grow to 49953 rows (new rows: the mean of their old pieces, model.resize_vocab).
    torchrun --nproc_per_node=8 pretrain.py configs/lbe_cpt_1m_ext.py
"""
out_dir = 'out/lbe/cpt_1m_ext'
mixture = {'zh': 1.0}
max_steps = 7813
resize_vocab = True

init_from = 'models/llama-2-7b'
data_dir = 'data/lbe_zh_ext_shards'
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
