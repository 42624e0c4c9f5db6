"""How Multilingual (Yuan et al. 2023): tuning one transformer block only (the first; change the index to
compare) on 10K English->Hindi pairs, one of the four modes the paper compares (embedding-only, single layer,
LoRA, full). Learning rates are our choice (2e-5 for full tuning as Alpaca; 2e-4 for the small parameter sets, as
LoRA recipes use). HML's own single-layer runs (App. G, Table 14) train on Alpaca-En: configs/hml_alpaca_layer.py.
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_layer.py
"""
out_dir = 'out/hml/layer'
mode = 'layers:0'
lr = 2e-4

init_from = 'models/llama-7b'  # LLaMA 7B (v1), as all four papers; any Meta checkpoint works
data_dir = 'data/hml_hi'
train_shard = 'en-hi.train.bin'
val_shard = 'en-hi.val.bin'
epochs = 3
warmup_ratio = 0.03
batch_size = 4
grad_accum = 4  # x 8 GPUs = 128
block_size = 512
eval_interval = 50
ckpt_interval = 250
device = 'cuda'
dtype = 'bfloat16'
