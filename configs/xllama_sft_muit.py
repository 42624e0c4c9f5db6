"""x-LLaMA MuIT: one model for six languages; 3 epochs, 128 examples a step, lr 2e-5 (x-LLaMA App. A),
the rest stanford_alpaca's (its code base, sec. 4).
    torchrun --nproc_per_node=8 sft.py configs/xllama_sft_muit.py
"""
init_from = 'models/llama-7b'  # LLaMA 7B (v1), as all four papers; any Meta checkpoint works
out_dir = 'out/xllama/muit'
data_dir = 'data/xllama_muit'
train_shard = 'muit.train.bin'
val_shard = 'muit.val.bin'
epochs = 3
lr = 2e-5
warmup_ratio = 0.03
batch_size = 4
grad_accum = 4
block_size = 512
eval_interval = 500
ckpt_interval = 2000
device = 'cuda'
dtype = 'bfloat16'
activation_checkpointing = True
