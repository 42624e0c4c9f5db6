"""LLaMA Beyond English, Table 1, "1k SFT", row "LLaMA with 100K pretrain": 1K BELLE examples on LLaMA further
pretrained on 100K Chinese samples (lbe_cpt_100k.py). LBE states no SFT hyper-parameters: ours are Alpaca's
recipe (stanford_alpaca README: 3 epochs, 128 examples a step, lr 2e-5, cosine, 3% warmup).
    torchrun --nproc_per_node=8 sft.py configs/lbe_sft_1k_cpt100k.py
"""
init_from = 'out/lbe/cpt_100k/latest'
out_dir = 'out/lbe/sft_1k_cpt100k'
data_dir = 'data/lbe_zh'
train_shard = 'belle_1k.train.bin'
val_shard = 'belle_1k.val.bin'
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
