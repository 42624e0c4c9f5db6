"""How Multilingual, App. G (Table 14): tuning every weight of LLaMA-7B on Alpaca-En
(configs/hml_data_alpaca_en.py) for 3 epochs (App. C), with hml_sft_full.py's recipe (its learning rate is ours: HML
states none).
    torchrun --nproc_per_node=8 sft.py configs/hml_alpaca_full.py
Then configs/eval_hml_alpaca.py.
"""
out_dir = 'out/hml/alpaca_full'
mode = 'full'
lr = 2e-5

init_from = 'models/llama-7b'  # LLaMA 7B (v1), as all four papers; any Meta checkpoint works
data_dir = 'data/hml_alpaca_en'
train_shard = 'alpaca-en.train.bin'
val_shard = 'alpaca-en.val.bin'
epochs = 3
warmup_ratio = 0.03
batch_size = 4
grad_accum = 4  # x 8 GPUs = 128
block_size = 512
eval_interval = 50
ckpt_interval = 250
device = 'cuda'
dtype = 'bfloat16'
