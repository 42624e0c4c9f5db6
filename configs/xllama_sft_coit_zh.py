"""x-LLaMA (Zhu et al. 2023) CoIT for Chinese: full fine-tuning of LLaMA 7B with Alpaca's recipe
(3 epochs, global batch 128, lr 2e-5, cosine, 3% warmup, sequences of 512).
    torchrun --nproc_per_node=8 sft.py configs/xllama_sft_coit_zh.py
"""
init_from = 'models/llama-2-7b'
out_dir = 'out/xllama/coit_zh'
data_dir = 'data/xllama_coit_zh'
train_shard = 'coit_zh.train.bin'
val_shard = 'coit_zh.val.bin'
epochs = 3
lr = 2e-5
warmup_ratio = 0.03
batch_size = 4  # x grad_accum 4 x 8 GPUs = 128
grad_accum = 4
block_size = 512
eval_interval = 200
ckpt_interval = 1000
device = 'cuda'
dtype = 'bfloat16'
activation_checkpointing = True
