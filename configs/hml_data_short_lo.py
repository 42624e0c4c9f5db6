r"""How Multilingual, the shortening experiment (sec. 4.3, Table 7): 80K Lego-MT English->Lao pairs
(Table 6: "Lego-MT 80k bilingual data"), Lao written without the lead byte every Lao character
shares under byte fallback (U+0E80..U+0EFF is 0xE0 in UTF-8; 67.0% of the text is such characters, Table 7).
    python tokenize_prep.py configs/hml_data_short_lo.py
The unshortened control (Table 7's "Full FT", 7.1 spBLEU against 9.2):
    python tokenize_prep.py configs/hml_data_short_lo.py --shorten="{}" --out_dir=data/hml_plain_lo
Then full fine-tuning on each (sec. 4.3; hml_sft_full.py's recipe), shortened and plain:
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_full.py --data_dir=data/hml_short_lo \
        --out_dir=out/hml/short_lo --train_shard=en-lo.train.bin --val_shard=en-lo.val.bin
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_full.py --data_dir=data/hml_plain_lo \
        --out_dir=out/hml/plain_lo --train_shard=en-lo.train.bin --val_shard=en-lo.val.bin
and configs/eval_hml_short.py measures them.
"""
tokenizer_path = 'models/tokenizer.model'  # LLaMA's
tokenizer_train = ''
out_dir = 'data/hml_short_lo'
pretrain = {}
pretrain_val = {}
sft = {'en-lo': {'lego-mt-en-lo': {'path': ['corpora/lego-mt/en-lo.en', 'corpora/lego-mt/en-lo.lo'],
                                   'lang': 'en-lo'}}}
sft_budget = {'lego-mt-en-lo': 80000}  # sec. 4.3 / Table 6: 80K pairs
shorten = {'lo': 0xE0}  # one lead byte per run: evaluate.py undoes one
report = {'lo': 'corpora/lego-mt/en-lo.lo', 'en': 'corpora/lego-mt/en-lo.en'}
