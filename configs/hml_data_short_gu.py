r"""How Multilingual, the shortening experiment (sec. 4.3, Table 7): 80K Lego-MT English->Gujarati pairs
(Table 6: "Lego-MT 80k bilingual data"), Gujarati written without the lead byte every Gujarati character
shares under byte fallback (U+0A80..U+0AFF is 0xE0 in UTF-8; 66.8% of the text is such characters, Table 7).
    python tokenize_prep.py configs/hml_data_short_gu.py
The unshortened control (Table 7's "Full FT", 10.0 spBLEU against 11.3):
    python tokenize_prep.py configs/hml_data_short_gu.py --shorten="{}" --out_dir=data/hml_plain_gu
Then full fine-tuning on each (sec. 4.3; hml_sft_full.py's recipe), shortened and plain:
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_full.py --data_dir=data/hml_short_gu \
        --out_dir=out/hml/short_gu --train_shard=en-gu.train.bin --val_shard=en-gu.val.bin
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_full.py --data_dir=data/hml_plain_gu \
        --out_dir=out/hml/plain_gu --train_shard=en-gu.train.bin --val_shard=en-gu.val.bin
and configs/eval_hml_short.py measures them.
"""
tokenizer_path = 'models/tokenizer.model'  # LLaMA's
tokenizer_train = ''
out_dir = 'data/hml_short_gu'
pretrain = {}
pretrain_val = {}
sft = {'en-gu': {'lego-mt-en-gu': {'path': ['corpora/lego-mt/en-gu.en', 'corpora/lego-mt/en-gu.gu'],
                                   'lang': 'en-gu'}}}
sft_budget = {'lego-mt-en-gu': 80000}  # sec. 4.3 / Table 6: 80K pairs
shorten = {'gu': 0xE0}  # one lead byte per run: evaluate.py undoes one
report = {'gu': 'corpora/lego-mt/en-gu.gu', 'en': 'corpora/lego-mt/en-gu.en'}
