"""x-LLaMA MuIT: one model for six languages, Alpaca's recipe (3 epochs, global batch 128, lr 2e-5).
    torchrun --nproc_per_node=8 sft.py configs/xllama_sft_muit.py
"""
init_from = 'models/llama-2-7b'
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
