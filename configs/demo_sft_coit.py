"""sft.py: x-LLaMA's CoIT on the demo: English and Hindi instructions (the same tasks, translated)
and the English->Hindi translation pairs, 1% held out (x-LLaMA, sec. 3.1: the translation task in the instruction mix).
    python sft.py configs/demo_sft_coit.py
"""
out_dir = 'out/demo/sft_coit'
train_shard = 'coit.train.bin'
val_shard = 'coit.val.bin'
