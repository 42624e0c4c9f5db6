"""x-LLaMA (Zhu et al. 2023) CoIT for Chinese: full fine-tuning of LLaMA 7B, 3 epochs, 128 examples a step,
lr 2e-5 (x-LLaMA App. A); cosine, 3% warmup and sequences of 512 from stanford_alpaca, its code base (sec. 4).
    torchrun --nproc_per_node=8 sft.py configs/xllama_sft_coit_zh.py
"""
init_from = 'models/llama-7b'  # LLaMA 7B (v1), as all four papers; any Meta checkpoint works
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
