"""sft.py: x-LLaMA's CoIT on the demo: English and Hindi instructions (the same tasks, translated)
and English->Hindi translation pairs (x-LLaMA, sec. 3: the translation task in the instruction mix).
    python sft.py configs/demo_sft_coit.py
"""
out_dir = 'out/demo/sft_coit'
train_shard = 'coit.train.bin'
val_shard = 'coit.val.bin'
epochs = 1  # 2,000 examples seen once (lr: sft.py's 3e-4; 1e-3 costs English, README.md says how much)
