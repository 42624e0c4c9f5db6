"""sft.py: COMMIT on the demo: the English instructions code-mixed with the en-hi dictionary inside
the untouched English template (codemix.py wrote them).
    python sft.py configs/demo_sft_commit.py
"""
out_dir = 'out/demo/sft_commit'
train_shard = 'commit.train.bin'
val_shard = 'commit.val.bin'
