"""sft.py: COMMIT's naive baseline (their Table 4) on the demo: the same instructions, the whole
prompt code-mixed, the Alpaca template included (codemix.py --naive=True wrote them).
    python sft.py configs/demo_sft_naive.py
"""
out_dir = 'out/demo/sft_naive'
train_shard = 'naive.train.bin'
val_shard = 'naive.val.bin'
epochs = 1  # 2,000 examples seen once: with many distinct questions the model must read, not memorise
lr = 1e-3  # the demo's tiny model, 125 steps of 16 examples (2e-5 at 7B: Alpaca README; x-LLaMA App. A)
