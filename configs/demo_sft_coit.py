"""sft.py: x-LLaMA's CoIT on the demo: English and Hindi instructions (the same tasks, translated)
and English->Hindi translation pairs (x-LLaMA, sec. 3: the translation task in the instruction mix).
    python sft.py configs/demo_sft_coit.py
"""
out_dir = 'out/demo/sft_coit'
train_shard = 'coit.train.bin'
val_shard = 'coit.val.bin'
epochs = 1  # 2,000 examples seen once: with many distinct questions the model must read, not memorise
lr = 1e-3  # the demo's tiny model, 125 steps of 16 examples (2e-5 at 7B: Alpaca README; x-LLaMA App. A)
