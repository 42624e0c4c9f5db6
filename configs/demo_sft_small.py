"""sft.py: LLaMA Beyond English's instruction-scale effect on the demo: the recipe of
sft.py's demo run (sft_en) on 500 English instructions instead of 2,000 (the paper: 1K, 5K, 950K).
    python sft.py configs/demo_sft_small.py
"""
out_dir = 'out/demo/sft_small'
train_shard = 'sft_small.train.bin'
val_shard = 'sft_small.val.bin'
