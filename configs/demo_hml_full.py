"""sft.py: How Multilingual's full fine-tuning on the demo: every weight of the Hindi+English model tuned on the
English->Hindi translation instructions alone, 2,970 of them (3,000 less the 1% held out; the paper: at most 10k
en->x pairs, 3 epochs, sec. 3.2 "Setting"; the demo: one epoch, for time), beside demo_hml_embed.py; evaluate.py
places both in the paper's quadrants (Eq. 1).
    python sft.py configs/demo_hml_full.py
"""
out_dir = 'out/demo/hml_full'
train_shard = 'pairs.train.bin'
val_shard = 'pairs.val.bin'
mode = 'full'
