"""sft.py: the demo's plain instruction tuning: English Alpaca-style instructions only, from the
Hindi+English model. It learns the task in English; x-LLaMA's and COMMIT's English-only baseline.
    python sft.py configs/demo_sft_en.py
"""
out_dir = 'out/demo/sft_en'
train_shard = 'sft.train.bin'
val_shard = 'sft.val.bin'
epochs = 1  # 2,000 examples seen once: with many distinct questions the model must read, not memorise
lr = 1e-3  # the demo's tiny model, 125 steps of 16 examples (2e-5 at 7B: Alpaca README; x-LLaMA App. A)
