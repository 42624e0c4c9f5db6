"""LLaMA Beyond English, Table 1, "950k SFT", row "LLaMA-EXT with 1M pretrain": 950K BELLE examples on LLaMA
with the extended vocabulary, further pretrained on the same 1M samples (lbe_cpt_1m_ext.py); BELLE in that
vocabulary (lbe_data_zh_ext.py). LBE states no SFT hyper-parameters: ours are Alpaca's recipe
(stanford_alpaca README: 3 epochs, 128 examples a step, lr 2e-5, cosine, 3% warmup).
    torchrun --nproc_per_node=8 sft.py configs/lbe_sft_950k_cpt1m_ext.py
"""
init_from = 'out/lbe/cpt_1m_ext/latest'
out_dir = 'out/lbe/sft_950k_cpt1m_ext'
data_dir = 'data/lbe_zh_ext_shards'
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
