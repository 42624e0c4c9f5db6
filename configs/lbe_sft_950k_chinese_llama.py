"""LLaMA Beyond English, Table 1, "950k SFT", row "Chinese LLaMA": 950K BELLE examples on Chinese-LLaMA-Plus 7B
(LBE "Models": 30B Chinese tokens, 49,953 pieces), Hugging Face layout; BELLE in its own vocabulary
(lbe_data_chinese_llama.py). LBE states no SFT hyper-parameters: ours are Alpaca's recipe (stanford_alpaca
README: 3 epochs, 128 examples a step, lr 2e-5, cosine, 3% warmup).
    torchrun --nproc_per_node=8 sft.py configs/lbe_sft_950k_chinese_llama.py
"""
init_from = 'models/chinese-llama-plus-7b'
out_dir = 'out/lbe/sft_950k_chinese_llama'
data_dir = 'data/lbe_chinese_llama'
train_shard = 'belle_950k.train.bin'
val_shard = 'belle_950k.val.bin'
epochs = 3
lr = 2e-5
warmup_ratio = 0.03
batch_size = 4  # x grad_accum 4 x 8 GPUs = 128
grad_accum = 4
block_size = 512  # Alpaca: model_max_length 512
eval_interval = 200
ckpt_interval = 1000
device = 'cuda'
dtype = 'bfloat16'
