r"""How Multilingual, the shortening experiment (sec. 4.3, Table 7): 80K Lego-MT English->Telugu pairs
(Table 6: "Lego-MT 80k bilingual data"), Telugu written without the lead byte every Telugu character
shares under byte fallback (U+0C00..U+0C7F is 0xE0 in UTF-8; 73.8% of the text is such characters, Table 7).
    python tokenize_prep.py configs/hml_data_short_te.py
The unshortened control (Table 7's "Full FT", 17.3 spBLEU against 21.5):
    python tokenize_prep.py configs/hml_data_short_te.py --shorten="{}" --out_dir=data/hml_plain_te
Then full fine-tuning on each (sec. 4.3; hml_sft_full.py's recipe), shortened and plain:
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_full.py --data_dir=data/hml_short_te \
        --out_dir=out/hml/short_te --train_shard=en-te.train.bin --val_shard=en-te.val.bin
    torchrun --nproc_per_node=8 sft.py configs/hml_sft_full.py --data_dir=data/hml_plain_te \
        --out_dir=out/hml/plain_te --train_shard=en-te.train.bin --val_shard=en-te.val.bin
and configs/eval_hml_short.py measures them.
"""
tokenizer_path = 'models/tokenizer.model'  # LLaMA's
tokenizer_train = ''
out_dir = 'data/hml_short_te'
pretrain = {}
pretrain_val = {}
sft = {'en-te': {'lego-mt-en-te': {'path': ['corpora/lego-mt/en-te.en', 'corpora/lego-mt/en-te.te'],
                                   'lang': 'en-te'}}}
sft_budget = {'lego-mt-en-te': 80000}  # sec. 4.3 / Table 6: 80K pairs
shorten = {'te': 0xE0}  # one lead byte per run: evaluate.py undoes one
report = {'te': 'corpora/lego-mt/en-te.te', 'en': 'corpora/lego-mt/en-te.en'}
