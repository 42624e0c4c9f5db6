"""sft.py: COMMIT on the demo: the English instructions code-mixed with the en-hi dictionary inside
the untouched English template (codemix.py wrote them).
    python sft.py configs/demo_sft_commit.py
"""
out_dir = 'out/demo/sft_commit'
train_shard = 'commit.train.bin'
val_shard = 'commit.val.bin'
epochs = 1  # 2,000 examples seen once: with many distinct questions the model must read, not memorise
lr = 1e-3  # the demo's tiny model, 125 steps of 16 examples (2e-5 at 7B: Alpaca README; x-LLaMA App. A)
