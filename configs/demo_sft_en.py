"""sft.py: the demo's plain instruction tuning: English Alpaca-style instructions only, from the
Hindi+English model. It learns the task in English; x-LLaMA's and COMMIT's English-only baseline.
    python sft.py configs/demo_sft_en.py
"""
out_dir = 'out/demo/sft_en'
train_shard = 'sft.train.bin'
val_shard = 'sft.val.bin'
epochs = 1  # 2,000 examples seen once (lr: sft.py's 3e-4; 1e-3 costs English, README.md says how much)
