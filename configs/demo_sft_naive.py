"""sft.py: COMMIT's naive baseline (their Table 4) on the demo: the same instructions, the whole
prompt code-mixed, the Alpaca template included (codemix.py --naive=True wrote them).
    python sft.py configs/demo_sft_naive.py
"""
out_dir = 'out/demo/sft_naive'
train_shard = 'naive.train.bin'
val_shard = 'naive.val.bin'
