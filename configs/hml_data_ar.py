r"""How Multilingual, Table 4: English->Arabic pairs from Lego-MT (sec. 3.1's bilingual data) at Table 4's three
sizes, 10K, 20K and 40K, each its own seeded draw and its own shard (en-ar-10k.train.bin, ...).
    python tokenize_prep.py configs/hml_data_ar.py
Then each size with each of Table 4's strategies, full tuning, LoRA and the embeddings (the recipes of
configs/hml_sft_*.py), and configs/eval_hml_altruistic.py:
    for n in 10k 20k 40k; do for m in full lora embed; do
        torchrun --nproc_per_node=8 sft.py configs/hml_sft_$m.py --data_dir=data/hml_ar --out_dir=out/hml/ar_${m}_$n \
            --train_shard=en-ar-$n.train.bin --val_shard=en-ar-$n.val.bin
    done; done
"""
tokenizer_path = 'models/tokenizer.model'  # LLaMA's
tokenizer_train = ''
out_dir = 'data/hml_ar'
pretrain = {}
pretrain_val = {}
sft = {'en-ar-10k': {'en-ar-10k': {'path': ['corpora/lego-mt/en-ar.en', 'corpora/lego-mt/en-ar.ar'], 'lang': 'en-ar'}},
       'en-ar-20k': {'en-ar-20k': {'path': ['corpora/lego-mt/en-ar.en', 'corpora/lego-mt/en-ar.ar'], 'lang': 'en-ar'}},
       'en-ar-40k': {'en-ar-40k': {'path': ['corpora/lego-mt/en-ar.en', 'corpora/lego-mt/en-ar.ar'], 'lang': 'en-ar'}}}
sft_budget = {'en-ar-10k': 10000, 'en-ar-20k': 20000, 'en-ar-40k': 40000}  # Table 4's sizes
report = {'ar': 'corpora/lego-mt/en-ar.ar', 'en': 'corpora/lego-mt/en-ar.en'}
