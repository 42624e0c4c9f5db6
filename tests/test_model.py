"""model.py against an implementation nobody here wrote (transformers), Meta's shard layout,
round trips, LoRA, the training modes, tokenizers, generation and bad input."""
import base64
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

import model as M
import plumbing as P
from conftest import ROOT, asset, random_model, tiny_args, write_checkpoint


# ---------------------------------------------------------------- parity with transformers

def to_hf(args, state):
    """Meta -> Hugging Face, as transformers' convert_llama_weights_to_hf.py does: rename, and
    permute wq/wk rows from Meta's adjacent-pair RoPE to HF's rotate-half RoPE."""
    from transformers import LlamaConfig, LlamaForCausalLM

    def permute(w, n_heads):
        out_dim, in_dim = w.shape
        return w.view(n_heads, out_dim // n_heads // 2, 2, in_dim).transpose(1, 2).reshape(out_dim, in_dim)

    rope = {'rope_type': 'default', 'rope_theta': args.rope_theta}
    if args.use_scaled_rope:
        rope.update(rope_type='llama3', factor=args.rope_scaling_factor or 8.0, low_freq_factor=1.0,
                    high_freq_factor=args.rope_high_freq_factor or 4.0, original_max_position_embeddings=8192)
    config = LlamaConfig(vocab_size=args.vocab_size, hidden_size=args.dim, intermediate_size=args.ffn_hidden_dim,
                         num_hidden_layers=args.n_layers, num_attention_heads=args.n_heads,
                         num_key_value_heads=args.kv_heads, rms_norm_eps=args.norm_eps, rope_parameters=rope,
                         max_position_embeddings=args.max_seq_len, tie_word_embeddings='output.weight' not in state,
                         attn_implementation='eager')
    hf = {'model.embed_tokens.weight': state['tok_embeddings.weight'], 'model.norm.weight': state['norm.weight']}
    if 'output.weight' in state:
        hf['lm_head.weight'] = state['output.weight']
    for i in range(args.n_layers):
        p, q = f'layers.{i}.', f'model.layers.{i}.'
        hf[q + 'self_attn.q_proj.weight'] = permute(state[p + 'attention.wq.weight'], args.n_heads)
        hf[q + 'self_attn.k_proj.weight'] = permute(state[p + 'attention.wk.weight'], args.kv_heads)
        hf[q + 'self_attn.v_proj.weight'] = state[p + 'attention.wv.weight']
        hf[q + 'self_attn.o_proj.weight'] = state[p + 'attention.wo.weight']
        hf[q + 'mlp.gate_proj.weight'] = state[p + 'feed_forward.w1.weight']
        hf[q + 'mlp.down_proj.weight'] = state[p + 'feed_forward.w2.weight']
        hf[q + 'mlp.up_proj.weight'] = state[p + 'feed_forward.w3.weight']
        hf[q + 'input_layernorm.weight'] = state[p + 'attention_norm.weight']
        hf[q + 'post_attention_layernorm.weight'] = state[p + 'ffn_norm.weight']
    model = LlamaForCausalLM(config).eval()
    missing, unexpected = model.load_state_dict(hf, strict=False)
    assert not unexpected and set(missing) <= {'lm_head.weight'}
    return model


CONFIGS = {
    'llama2': dict(dim=64, n_layers=2, n_heads=4, vocab_size=300, multiple_of=16),
    'llama3': dict(dim=64, n_layers=2, n_heads=8, n_kv_heads=2, vocab_size=300, multiple_of=32,
                   ffn_dim_multiplier=1.3, rope_theta=500000.0),
    'llama3.1': dict(dim=64, n_layers=2, n_heads=4, n_kv_heads=2, vocab_size=300, multiple_of=16,
                     rope_theta=500000.0, use_scaled_rope=True),
    'llama3.2-tied-factor32': dict(dim=64, n_layers=2, n_heads=4, n_kv_heads=1, vocab_size=300, multiple_of=16,
                                   rope_theta=500000.0, use_scaled_rope=True, rope_scaling_factor=32.0),
}


@pytest.mark.parametrize('name', CONFIGS)
def test_logits_match_transformers(name, tmp_path):
    # max_seq_len 4096 with tokens spread over it, so the scaled (low) frequencies matter
    args = tiny_args(**CONFIGS[name], max_seq_len=4096)
    model = random_model(args)
    with torch.no_grad():  # N(0, 0.02) weights leave attention nearly uniform, blind to RoPE: sharpen it
        for layer in model.layers:
            layer.attention.wq.weight.mul_(8)
            layer.attention.wk.weight.mul_(8)
    if 'tied' in name:
        model.output.weight = model.tok_embeddings.weight
    state = M.meta_state_dict(model.state_dict(), tied=model.tied)
    hf = to_hf(args, state)
    # a deliberately wrong RoPE: the other scaling factor, or another base
    wrong = to_hf(replace(args, rope_scaling_factor=8.0 if args.rope_scaling_factor else 32.0) if args.use_scaled_rope
                  else replace(args, rope_theta=args.rope_theta * 2), state)
    tokens = torch.randint(0, args.vocab_size, (2, 24))
    far = torch.randint(0, args.vocab_size, (1, 3000))  # positions past 2048, where scaled frequencies act
    with torch.no_grad():
        for t in (tokens, far):
            ours = model(t)
            assert (ours - hf(t).logits).abs().max().item() <= 1e-5  # measured: <= 5e-7
        assert (ours - wrong(far).logits).abs().max().item() > 1e-2  # measured: 0.016 to 0.2, 1000x the tolerance


def test_scaled_rope_constants_follow_llama_models():
    """Factor 8 by default, stretching only wavelengths above 8192/1 tokens and keeping those below 8192/4."""
    freqs = 1.0 / (500000.0 ** (torch.arange(0, 128, 2).float() / 128))
    scaled = M.apply_rope_scaling(freqs)
    wavelen = 2 * torch.pi / freqs
    assert torch.equal(scaled[wavelen < 2048], freqs[wavelen < 2048])
    assert torch.allclose(scaled[wavelen > 8192], freqs[wavelen > 8192] / 8)
    between = (wavelen >= 2048) & (wavelen <= 8192)
    assert between.any() and (scaled[between] < freqs[between]).all() and (scaled[between] > freqs[between] / 8).all()


def test_cached_decoding_equals_full_forward():
    args = tiny_args(**CONFIGS['llama3'])
    model = random_model(args).eval()
    tokens = torch.randint(0, args.vocab_size, (3, 20))
    with torch.no_grad():
        full = model(tokens)
        model.setup_cache(3, 20)
        parts = [model(tokens[:, :7], start_pos=0)]
        parts += [model(tokens[:, t:t + 1], start_pos=t) for t in range(7, 12)]
        # a chunk of several tokens past position 0 needs an explicit mask
        mask = torch.ones(8, 20, dtype=torch.bool).tril(diagonal=12)[None, None]
        parts.append(model(tokens[:, 12:20], start_pos=12, mask=mask))
        model.clear_cache()
    assert (torch.cat(parts, dim=1) - full).abs().max().item() <= 1e-5


def test_hidden_size_rule_matches_meta_releases():
    # (dim, multiple_of, ffn_dim_multiplier) -> Meta's published hidden sizes
    assert M.ModelArgs(dim=4096, multiple_of=256).ffn_hidden_dim == 11008  # LLaMA 2 7B
    assert M.ModelArgs(dim=8192, multiple_of=4096, ffn_dim_multiplier=1.3).ffn_hidden_dim == 28672  # LLaMA 2 70B
    assert M.ModelArgs(dim=4096, multiple_of=1024, ffn_dim_multiplier=1.3).ffn_hidden_dim == 14336  # Llama 3 8B
    assert M.ModelArgs(dim=2048, multiple_of=256, ffn_dim_multiplier=1.5).ffn_hidden_dim == 8192  # Llama 3.2 1B


# ---------------------------------------------------------------- checkpoints

@pytest.mark.parametrize('n_shards', [2, 8])
@pytest.mark.parametrize('layout', ['llama2', 'llama3'])
def test_sharded_checkpoint_loads_to_the_unsharded_tensors(layout, n_shards, tmp_path, sp_tokenizer):
    args = tiny_args(dim=64, n_heads=8, n_kv_heads=8 if layout == 'llama2' else 8, vocab_size=300, multiple_of=16)
    if layout == 'llama3':
        args = tiny_args(dim=64, n_heads=16, n_kv_heads=8, vocab_size=300, multiple_of=16, rope_theta=500000.0)
    full = random_model(args).state_dict()
    write_checkpoint(tmp_path, args, full, sp_tokenizer, n_shards, embed_dim=1 if layout == 'llama2' else 0)
    model, _ = M.load(tmp_path, max_seq_len=64)
    loaded = model.state_dict()
    assert loaded.keys() == full.keys()
    for k in full:
        assert torch.equal(loaded[k], full[k]), k


def test_llama1_checkpoint_vocab_from_tokenizer_and_rope_freqs_ignored(tmp_path, sp_tokenizer):
    args = tiny_args()
    state = random_model(args).state_dict()
    write_checkpoint(tmp_path, args, {**state}, sp_tokenizer)
    params = json.loads((tmp_path / 'params.json').read_text())
    params['vocab_size'] = -1
    (tmp_path / 'params.json').write_text(json.dumps(params))
    torch.save({**state, 'rope.freqs': torch.zeros(8)}, tmp_path / 'consolidated.00.pth')
    model, tok = M.load(tmp_path)
    assert model.args.vocab_size == tok.n_words == 300
    assert torch.equal(model.output.weight, state['output.weight'])


def test_save_then_load_is_bitwise_equal_and_tying_survives(tmp_path, sp_tokenizer):
    args = tiny_args()
    model = random_model(args)
    model.output.weight = model.tok_embeddings.weight
    M.save(tmp_path / 'ckpt', args, M.meta_state_dict(model.state_dict(), tied=True), sp_tokenizer,
           extra={'note.json': {'a': 1}})
    assert 'output.weight' not in torch.load(tmp_path / 'ckpt' / 'consolidated.00.pth', weights_only=True)
    loaded, _ = M.load(tmp_path / 'ckpt', max_seq_len=64)
    assert loaded.tied
    for k, v in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k
    assert json.loads((tmp_path / 'ckpt' / 'note.json').read_text()) == {'a': 1}
    # saving again over it replaces it whole and leaves no temporary files
    M.save(tmp_path / 'ckpt', args, M.meta_state_dict(model.state_dict(), tied=True), sp_tokenizer)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['ckpt']
    assert not (tmp_path / 'ckpt' / 'note.json').exists()


def test_params_json_stays_readable_by_llama2_loader(tmp_path):
    """LLaMA 2's ModelArgs(**params) rejects unknown keys: a LLaMA-2 model writes only its fields."""
    keys = set(tiny_args().to_json())
    assert keys == {'dim', 'n_layers', 'n_heads', 'vocab_size', 'multiple_of', 'norm_eps'}
    l31 = tiny_args(**CONFIGS['llama3.1']).to_json()
    assert l31['use_scaled_rope'] is True and l31['rope_theta'] == 500000.0 and 'max_seq_len' not in l31


# ---------------------------------------------------------------- Hugging Face's layout

# what transformers' LlamaConfig takes for RoPE (rope_parameters): Llama 2's plain RoPE, Llama 3.2's scaling
# (factor 32), and numbers Meta's params.json cannot hold (low_freq_factor 2, an original context of 4096)
HF_ROPE = {
    'llama2-untied': dict(rope_type='default', rope_theta=10000.0),
    'llama3.2-gqa-tied': dict(rope_type='llama3', rope_theta=500000.0, factor=32.0, low_freq_factor=1.0,
                              high_freq_factor=4.0, original_max_position_embeddings=8192),
    'llama3-gqa-untied-odd-scaling': dict(rope_type='llama3', rope_theta=500000.0, factor=8.0, low_freq_factor=2.0,
                                          high_freq_factor=8.0, original_max_position_embeddings=4096),
}


def hf_llama(name, vocab_size=300, seed=0):
    """A random transformers LlamaForCausalLM: GQA except for llama2, an intermediate_size Meta's default rule
    does not give (100), attention sharpened so that RoPE matters."""
    from transformers import LlamaConfig, LlamaForCausalLM
    config = LlamaConfig(vocab_size=vocab_size, hidden_size=64, intermediate_size=100, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=4 if 'llama2' in name else 2, rms_norm_eps=1e-5,
                         rope_parameters=HF_ROPE[name], tie_word_embeddings='-tied' in name,
                         max_position_embeddings=8192, attn_implementation='eager')
    torch.manual_seed(seed)
    hf = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        for layer in hf.model.layers:
            layer.self_attn.q_proj.weight.mul_(8)
            layer.self_attn.k_proj.weight.mul_(8)
    return hf


def hf_checkpoint(path, name, tokenizer, **save):
    hf = hf_llama(name)
    hf.save_pretrained(path, **save)
    (path / 'tokenizer.model').write_bytes(Path(tokenizer).read_bytes())
    return hf


@pytest.mark.parametrize('name', HF_ROPE)
def test_hf_directory_loads_with_the_logits_of_transformers(name, tmp_path, sp_tokenizer):
    # sharded (an index and several files) for one of them, one model.safetensors for the others
    hf = hf_checkpoint(tmp_path, name, sp_tokenizer, **({'max_shard_size': '100KB'} if 'odd' in name else {}))
    assert (tmp_path / 'model.safetensors.index.json').exists() == ('odd' in name)
    model, _ = M.load(tmp_path, max_seq_len=4096)
    assert model.tied == ('-tied' in name) and model.args.ffn_hidden_dim == 100
    tokens = torch.randint(0, 300, (2, 24))
    far = torch.randint(0, 300, (1, 3000))  # past the scaled models' low-frequency wavelengths
    with torch.no_grad():
        for t in (tokens, far):
            assert (model(t) - hf(t).logits).abs().max().item() <= 1e-5  # measured: <= 4e-7
        # the q/k permutation is what makes them equal: without it the logits are far apart
        for layer in model.layers:
            layer.attention.wq.weight.copy_(M.rotate_half_order(layer.attention.wq.weight, 4))
        assert (model(tokens) - hf(tokens).logits).abs().max().item() > 1e-3


def test_hf_save_loads_in_transformers_with_the_same_logits_and_greedy_tokens(tmp_path, sp_tokenizer, monkeypatch):
    from transformers import LlamaForCausalLM
    args = tiny_args(**CONFIGS['llama3.1'], max_seq_len=4096)
    model = random_model(args).eval()
    with torch.no_grad():
        for layer in model.layers:
            layer.attention.wq.weight.mul_(8)
            layer.attention.wk.weight.mul_(8)
    monkeypatch.setattr(M, 'SHARD_BYTES', 60_000)  # several shards and an index, as a 7B model gets at 5 GB
    M.save(tmp_path / 'hf', args, M.meta_state_dict(model.state_dict()), sp_tokenizer, save_format='hf')
    files = sorted(p.name for p in (tmp_path / 'hf').iterdir())
    assert 'params.json' not in files and 'model.safetensors.index.json' in files
    assert sum(f.endswith('.safetensors') for f in files) > 2
    hf = LlamaForCausalLM.from_pretrained(tmp_path / 'hf', attn_implementation='eager').eval()
    tokens = torch.randint(3, args.vocab_size, (2, 16))
    far = torch.randint(0, args.vocab_size, (1, 3000))
    with torch.no_grad():
        for t in (tokens, far):
            assert (model(t) - hf(t).logits).abs().max().item() <= 1e-5
    ours = M.generate(model, tokens.tolist(), 20)
    theirs = hf.generate(tokens, max_new_tokens=20, min_new_tokens=20, do_sample=False, pad_token_id=0)
    assert ours == theirs[:, 16:].tolist()
    config = json.loads((tmp_path / 'hf' / 'config.json').read_text())
    assert config['architectures'] == ['LlamaForCausalLM'] and config['torch_dtype'] == 'float32'
    assert (config['bos_token_id'], config['eos_token_id']) == (1, 2)
    assert json.loads((tmp_path / 'hf' / 'generation_config.json').read_text())['eos_token_id'] == 2


def test_safetensors_written_by_stream_read_by_safe_open(tmp_path):
    from safetensors import safe_open
    tensors = {'a': torch.randn(3, 5).bfloat16(), 'b': torch.arange(7, dtype=torch.float32), 'c': torch.randn(2, 2)}
    M.write_safetensors(tmp_path / 'x.safetensors', tensors, lambda name, t: t * 2 if name == 'c' else t)
    with safe_open(tmp_path / 'x.safetensors', 'pt') as f:
        assert f.metadata() == {'format': 'pt'} and sorted(f.keys()) == ['a', 'b', 'c']
        for name, t in tensors.items():
            assert torch.equal(f.get_tensor(name), t * 2 if name == 'c' else t), name


@pytest.mark.parametrize('tied', [False, True])
def test_meta_to_hf_to_meta_is_bitwise(tied, tmp_path, sp_tokenizer):
    args = tiny_args(**CONFIGS['llama3'])
    model = random_model(args)
    if tied:
        model.output.weight = model.tok_embeddings.weight
    state = {k: v.bfloat16() for k, v in M.meta_state_dict(model.state_dict(), tied=tied).items()}
    M.save(tmp_path / 'meta', args, state, sp_tokenizer)
    r = subprocess.run([sys.executable, 'model.py', f'--ckpt_dir={tmp_path / "meta"}',
                        f'--export_dir={tmp_path / "hf"}'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert M.checkpoint_layout(tmp_path / 'hf') == 'hf'
    assert M.stored_dtype_and_tied(tmp_path / 'hf') == (torch.bfloat16, tied)
    hf_model, _ = M.load(tmp_path / 'hf')
    assert hf_model.args.ffn_hidden_dim == args.ffn_hidden_dim and hf_model.tied == tied
    M.save(tmp_path / 'back', hf_model.args, M.meta_state_dict(hf_model.state_dict(), tied=tied), sp_tokenizer)
    before = torch.load(tmp_path / 'meta' / 'consolidated.00.pth', weights_only=True)
    after = torch.load(tmp_path / 'back' / 'consolidated.00.pth', weights_only=True)
    assert before.keys() == after.keys() and ('output.weight' in after) != tied
    for k in before:
        assert before[k].dtype == after[k].dtype == torch.bfloat16 and torch.equal(before[k], after[k]), k
    back = M.ModelArgs.from_json(tmp_path / 'back' / 'params.json')
    # the same model in params.json, with multiple_of and ffn_dim_multiplier of our choosing (same hidden size)
    assert back.ffn_hidden_dim == args.ffn_hidden_dim
    assert replace(back, multiple_of=32, ffn_dim_multiplier=1.3) == replace(args, max_seq_len=2048)


def test_both_layouts_in_one_folder_hold_the_same_weights_and_meta_wins(tmp_path, sp_tokenizer):
    args = tiny_args(**CONFIGS['llama3.1'])
    model = random_model(args)
    M.save(tmp_path / 'ckpt', args, M.meta_state_dict(model.state_dict()), sp_tokenizer, save_format='both')
    assert M.checkpoint_layout(tmp_path / 'ckpt') == 'meta'
    meta = M.read_weights(tmp_path / 'ckpt', args)
    hf = M.read_hf_weights(tmp_path / 'ckpt', args)
    assert meta.keys() == hf.keys() and all(torch.equal(meta[k], hf[k]) for k in meta)


def test_hf_hidden_size_and_rope_become_meta_fields_or_are_refused(tmp_path, sp_tokenizer):
    # Meta's published sizes come back as fields Meta's rule turns into the same size
    for dim, hidden in ((4096, 11008), (4096, 14336), (8192, 28672), (2048, 8192), (2048, 5632), (16384, 53248)):
        params = M.ModelArgs(dim=dim, intermediate_size=hidden).to_json()
        assert M.ModelArgs(**params).ffn_hidden_dim == hidden and 'intermediate_size' not in params
    assert M.ModelArgs(dim=4096, intermediate_size=14336).to_json()['ffn_dim_multiplier'] == 1.3  # Llama 3 8B's
    hf_checkpoint(tmp_path / 'hf', 'llama3-gqa-untied-odd-scaling', sp_tokenizer)
    args, _ = M.load_args(tmp_path / 'hf')
    with pytest.raises(P.InputError, match=r"params\.json \(Meta's layout\): .*low_freq_factor 2.0.*save_format=hf"):
        args.to_json()
    r = subprocess.run([sys.executable, 'model.py', f'--ckpt_dir={tmp_path / "hf"}', f'--export_dir={tmp_path / "m"}',
                        '--export_format=meta'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.count('\n') == 1 and 'save_format=hf' in r.stderr
    assert not (tmp_path / 'm').exists()


def test_lora_merge_replaces_entries_and_leaves_the_live_model(tmp_path):
    args = tiny_args()
    model = M.apply_lora(random_model(args), r=2, alpha=4, dropout=0.0, targets=('wq', 'w2'))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('lora_B'):
                p.normal_(0, 0.1)
    live = {k: v.clone() for k, v in model.state_dict().items()}
    state = model.state_dict()
    out = M.meta_state_dict(state, lora_scale=2.0, dtype=torch.bfloat16)
    assert out is state and not any('lora' in k for k in out) and all(v.dtype == torch.bfloat16 for v in out.values())
    w, a, b = (live[f'layers.0.attention.wq.{k}'] for k in ('weight', 'lora_A', 'lora_B'))
    assert torch.equal(out['layers.0.attention.wq.weight'], (w.float() + 2.0 * (b.float() @ a.float())).bfloat16())
    assert all(torch.equal(v, live[k]) for k, v in model.state_dict().items())  # the model itself is untouched


# ---------------------------------------------------------------- bad input

def test_no_checkpoint_here(tmp_path):
    with pytest.raises(P.InputError, match=r"no params\.json \(Meta's layout\) or config\.json"):
        M.load(tmp_path)


@pytest.mark.parametrize('change, says', [
    ({'model_type': 'mistral', 'sliding_window': 4096}, "model_type 'mistral'"),
    ({'attention_bias': True}, 'attention_bias true'),
    ({'mlp_bias': True}, 'mlp_bias true'),
    ({'sliding_window': 4096}, 'sliding_window 4096'),
    ({'head_dim': 32}, 'head_dim 32, not hidden_size / num_attention_heads = 16'),
    ({'rope_parameters': {'rope_type': 'yarn', 'factor': 4.0, 'rope_theta': 1e4}}, "rope_scaling of type 'yarn'"),
    ({'num_hidden_layers': '2'}, "num_hidden_layers must be a positive integer, not '2'"),
])
def test_another_architecture_is_refused_in_one_line_naming_config_json(change, says, tmp_path, sp_tokenizer):
    hf_checkpoint(tmp_path, 'llama2-untied', sp_tokenizer)
    config = json.loads((tmp_path / 'config.json').read_text())
    (tmp_path / 'config.json').write_text(json.dumps({**config, **change}))
    with pytest.raises(P.InputError) as e:
        M.load(tmp_path)
    assert str(e.value).startswith(f"error: {tmp_path / 'config.json'}: ") and says in str(e.value)
    assert '\n' not in str(e.value)


def test_a_shard_missing_from_disk_or_a_wrong_shape_names_the_file(tmp_path, sp_tokenizer):
    from safetensors.torch import load_file, save_file
    hf_checkpoint(tmp_path, 'llama2-untied', sp_tokenizer, max_shard_size='100KB')
    index = json.loads((tmp_path / 'model.safetensors.index.json').read_text())
    shard = tmp_path / index['weight_map']['model.layers.1.mlp.up_proj.weight']
    tensors = load_file(shard)
    tensors['model.layers.1.mlp.up_proj.weight'] = tensors['model.layers.1.mlp.up_proj.weight'][:-1].clone()
    save_file(tensors, shard, metadata={'format': 'pt'})
    with pytest.raises(P.InputError) as e:
        M.load(tmp_path)
    assert str(e.value) == (f"error: {shard}: model.layers.1.mlp.up_proj.weight has shape (99, 64) but config.json "
                            "implies (100, 64)")
    shard.unlink()
    with pytest.raises(P.InputError, match=re.escape(f"{shard}: missing, though model.safetensors.index.json")):
        M.load(tmp_path)


def test_shape_disagreeing_with_params_names_key_and_shapes(tmp_path, sp_tokenizer):
    args = tiny_args()
    state = random_model(args).state_dict()
    state['layers.1.feed_forward.w2.weight'] = state['layers.1.feed_forward.w2.weight'][:, :-16].clone()
    write_checkpoint(tmp_path, args, state, sp_tokenizer)
    with pytest.raises(P.InputError) as e:
        M.load(tmp_path)
    msg = str(e.value)
    assert 'layers.1.feed_forward.w2.weight' in msg and '(64, 160)' in msg and '(64, 176)' in msg
    assert 'consolidated.00.pth' in msg


def test_vocab_mismatch_says_how_to_resize(tmp_path, sp_tokenizer):
    args = tiny_args(vocab_size=320)
    write_checkpoint(tmp_path, args, random_model(args).state_dict(), sp_tokenizer)
    with pytest.raises(P.InputError, match='resize_vocab=True'):
        M.load(tmp_path)


def test_pickle_that_is_not_plain_tensors_is_refused(tmp_path, sp_tokenizer):
    args = tiny_args()
    write_checkpoint(tmp_path, args, random_model(args).state_dict(), sp_tokenizer)
    torch.save({'tok_embeddings.weight': torch.zeros(2), 'evil': subprocess.Popen}, tmp_path / 'consolidated.00.pth')
    with pytest.raises(P.InputError, match='holds more than plain tensors'):
        M.load(tmp_path)


def test_cli_error_is_one_line_and_nonzero(tmp_path):
    r = subprocess.run([sys.executable, 'model.py', f'--ckpt_dir={tmp_path}'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.strip().count('\n') == 0 and r.stderr.startswith('error: ') and str(tmp_path) in r.stderr


# ---------------------------------------------------------------- LoRA and training modes

def test_lora_with_zero_B_changes_nothing_and_merged_equals_unmerged():
    args = tiny_args(**CONFIGS['llama3'])
    model = random_model(args).eval()
    tokens = torch.randint(0, args.vocab_size, (2, 16))
    with torch.no_grad():
        before = model(tokens)
        M.apply_lora(model, r=4, alpha=8, dropout=0.0, targets=M.LORA_TARGETS)
        assert torch.equal(model(tokens), before)
        for name, p in model.named_parameters():
            if name.endswith('lora_B'):
                p.normal_(0, 0.1)
        with_lora = model(tokens)
        assert (with_lora - before).abs().max() > 1e-3
        state = M.meta_state_dict(model.state_dict(), lora_scale=2.0)
        assert not any('lora' in k for k in state)
        merged = M.build(args, state).eval()  # what a saved checkpoint loads as: W + scale * B @ A, plain
        assert (merged(tokens) - with_lora).abs().max().item() <= 1e-5


def test_lora_state_dict_is_the_adapter_alone():
    model = M.apply_lora(random_model(tiny_args()), r=2, alpha=4, targets=('wq', 'w2'))
    adapter = M.lora_state_dict(model.state_dict())
    assert sorted({k.split('.', 2)[2] for k in adapter}) == ['attention.wq.lora_A', 'attention.wq.lora_B',
                                                          'feed_forward.w2.lora_A', 'feed_forward.w2.lora_B']


@pytest.mark.parametrize('mode, trains', [
    ('full', lambda n: True),
    ('embed', lambda n: n == 'tok_embeddings.weight'),
    ('embed+head', lambda n: n in ('tok_embeddings.weight', 'output.weight')),
    ('layers:1', lambda n: n.startswith('layers.1.')),
    ('layers:0,2', lambda n: n.startswith(('layers.0.', 'layers.2.'))),
    ('lora', lambda n: 'lora_' in n),
    ('lora+embed', lambda n: 'lora_' in n or n in ('tok_embeddings.weight', 'output.weight')),
])
def test_each_mode_trains_exactly_its_parameters(mode, trains):
    model = random_model(tiny_args(n_layers=3))
    if 'lora' in mode:
        M.apply_lora(model, r=2, alpha=4)
    trainable, total = M.set_trainable(model, mode)
    names = dict(model.named_parameters())
    assert {n for n, p in names.items() if p.requires_grad} == {n for n in names if trains(n)}
    assert trainable == sum(p.numel() for n, p in names.items() if trains(n))
    assert total == sum(p.numel() for n, p in names.items() if 'lora_' not in n)


def test_bad_modes_are_clear_errors():
    model = random_model(tiny_args())
    for mode, msg in [('layers:7', 'between 0 and 1'), ('everything', 'unknown mode'), ('lora', 'apply_lora first')]:
        with pytest.raises(P.InputError, match=msg):
            M.set_trainable(model, mode)


# ---------------------------------------------------------------- vocabulary resize

def append_pieces(model_file, pieces):
    """A SentencePiece model with pieces appended, written as raw protobuf: field 1 (`pieces`) is
    repeated, so appending one more serialized entry to the message adds a piece."""
    import struct

    def varint(n):
        out = b''
        while n > 0x7F:
            out, n = out + bytes([n & 0x7F | 0x80]), n >> 7
        return out + bytes([n])
    data = model_file.read_bytes()
    for p in pieces:
        b = p.encode()
        entry = b'\x0a' + varint(len(b)) + b + b'\x15' + struct.pack('<f', 0.0)
        data += b'\x0a' + varint(len(entry)) + entry
    return data


def test_resize_initialises_new_rows_from_old_pieces(sp_tokenizer, tmp_path):
    old = M.Tokenizer(sp_tokenizer)
    (tmp_path / 'ext.model').write_bytes(append_pieces(sp_tokenizer, ['▁riverbank', '▁bakers', 'ठीक']))
    new = M.Tokenizer(tmp_path / 'ext.model')
    assert new.n_words == 303
    model = random_model(tiny_args())
    before = {k: v.clone() for k, v in model.state_dict().items()}
    M.resize_vocab(model, old, new)
    E = model.tok_embeddings.weight
    assert E.shape[0] == new.n_words == model.args.vocab_size and model.output.weight.shape[0] == new.n_words
    assert torch.equal(E[:300], before['tok_embeddings.weight'])
    for i in range(300, new.n_words):
        piece = new.sp.id_to_piece(i)
        if piece == 'ठीक':  # no such characters in the English base: its UTF-8 bytes, and no '▁' (word-internal)
            ids = [old.sp.piece_to_id(f'<0x{b:02X}>') for b in piece.encode()]
        else:  # English: the base pieces that spell exactly this piece
            ids = old.encode(piece[1:], bos=False, eos=False)
            assert ''.join(old.sp.id_to_piece(j) for j in ids) == piece
        assert len(ids) > 1
        assert torch.allclose(E[i], before['tok_embeddings.weight'][ids].mean(0))
        assert torch.allclose(model.output.weight[i], before['output.weight'][ids].mean(0))


def test_resize_from_an_extended_tiktoken_vocabulary(tiktoken_file, sp_tokenizer, tmp_path):
    """New ranks after the specials; a new token may be part of a character: its rows average the
    old tokens that spell its bytes."""
    old = M.Tokenizer(tiktoken_file)
    new_tokens = [b'the ', ' नदी'.encode(), 'नम'.encode()[:4], b'\xa4\xa8\xe0']
    lines = [f"{base64.b64encode(t).decode()} {old.n_words + i}\n" for i, t in enumerate(new_tokens)]
    (tmp_path / 'ext.model').write_text(tiktoken_file.read_text() + ''.join(lines))
    new = M.Tokenizer(tmp_path / 'ext.model')
    assert new.n_words == old.n_words + 4 and new.special == old.special and new.bos_id == 266
    model = random_model(tiny_args(vocab_size=old.n_words))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    M.resize_vocab(model, old, new)
    E = model.tok_embeddings.weight
    assert E.shape[0] == new.n_words and torch.equal(E[:old.n_words], before['tok_embeddings.weight'])
    with pytest.raises(P.InputError, match='does not extend'):
        M.resize_vocab(random_model(tiny_args(vocab_size=old.n_words)), old, M.Tokenizer(sp_tokenizer))
    swapped = tiktoken_file.read_text().replace('dGg= 256', 'dGg= 257').replace('aGU= 257', 'aGU= 256')  # th, he
    (tmp_path / 'other.model').write_text(swapped)
    with pytest.raises(P.InputError, match='does not extend'):
        M.resize_vocab(random_model(tiny_args(vocab_size=old.n_words)), old, M.Tokenizer(tmp_path / 'other.model'))
    spelled = {b'the ': [b'the', b' '], new_tokens[1]: [bytes([b]) for b in new_tokens[1]]}
    for i, t in enumerate(new_tokens):
        pieces = [old.ranks[p] for p in spelled.get(t, [bytes([b]) for b in t])]
        assert torch.allclose(E[old.n_words + i], before['tok_embeddings.weight'][pieces].mean(0))
        assert torch.allclose(model.output.weight[old.n_words + i], before['output.weight'][pieces].mean(0))


def test_tiktoken_ranks_with_holes_are_refused(tiktoken_file, tmp_path):
    lines = tiktoken_file.read_text().splitlines()
    for name, bad in (('hole', lines[:100] + lines[101:]),
                      ('small_gap', lines + ['dGhlIA== 300']), ('repeat', lines + ['dGhlIA== 5'])):
        (tmp_path / name).write_text('\n'.join(bad) + '\n')
        with pytest.raises(P.InputError, match='ranks repeat or leave holes'):
            M.Tokenizer(tmp_path / name)


# ---------------------------------------------------------------- tokenizers

def test_sentencepiece_tokenizer(sp_tokenizer):
    tok = M.Tokenizer(sp_tokenizer)
    assert tok.kind == 'sentencepiece' and (tok.bos_id, tok.eos_id) == (1, 2) and tok.n_words == 300
    ids = tok.encode('The river runs. नमस्ते', bos=True, eos=True)
    assert ids[0] == 1 and ids[-1] == 2 and tok.decode(ids) == 'The river runs. नमस्ते'


def test_tiktoken_tokenizer_and_special_tokens(tiktoken_file):
    tok = M.Tokenizer(tiktoken_file)
    assert tok.kind == 'tiktoken' and tok.n_words == 266 + 256
    assert (tok.bos_id, tok.eos_id) == (266, 267)
    assert tok.special['<|eot_id|>'] == 266 + 9 and tok.special['<|reserved_special_token_245|>'] == tok.n_words - 1
    assert set(tok.stop_tokens) == {266 + 1, 266 + 8, 266 + 9}
    ids = tok.encode('the theme <|eot_id|>', bos=True, eos=False)
    assert ids[0] == tok.bos_id and tok.special['<|eot_id|>'] not in ids  # special text stays text
    assert tok.decode(ids[1:]) == 'the theme <|eot_id|>'


@pytest.mark.parametrize('which', ['sp', 'tiktoken', 'llama2', 'llama3'])
def test_token_bytes_spell_the_decoded_text(which, sp_tokenizer, tiktoken_file):
    path = {'sp': sp_tokenizer, 'tiktoken': tiktoken_file, 'llama2': 'tokenizers/llama2/tokenizer.model',
            'llama3': 'tokenizers/llama3/tokenizer.model'}[which]
    tok = M.Tokenizer(path if which in ('sp', 'tiktoken') else asset(path))
    text = 'The theme runs.\n नमस्ते 你好' if which != 'tiktoken' else 'the theme\n'
    ids = tok.encode(text, bos=False, eos=False)
    spelt = b''.join(tok.token_bytes(i) for i in ids)
    # SentencePiece writes a word mark before the first word; decode drops it, so one leading space is extra
    assert spelt.decode() == ' ' * (tok.kind == 'sentencepiece') + tok.decode(ids)
    assert tok.decode(ids) == text or which == 'sp'  # the small test model turns the newline into a space
    assert tok.token_bytes(tok.bos_id) == tok.token_bytes(tok.eos_id) == b''


def test_tiktoken_long_runs_are_cut_as_meta_cuts_them():
    def meta_split(s, n):  # Meta's _split_whitespaces_or_nonwhitespaces, written out for comparison
        out, run, is_space, start = [], 0, s[0].isspace() if s else False, 0
        for i, ch in enumerate(s):
            if is_space ^ ch.isspace():
                run, is_space = 1, ch.isspace()
            else:
                run += 1
                if run > n:
                    out.append(s[start:i])
                    start, run = i, 1
        return out + [s[start:]]
    text = 'ab ' + 'x' * 60_007 + ' \u3000' * 3 + ' ' * 25_001 + 'end' + '\n' * 50_001 + 'y'
    assert list(M.Tokenizer._tiktoken_pieces(text)) == meta_split(text, M.TIKTOKEN_MAX_RUN)


def test_not_a_tokenizer(tmp_path):
    (tmp_path / 'tokenizer.model').write_bytes(b'\x00garbage')
    with pytest.raises(P.InputError, match='neither a SentencePiece model nor a tiktoken'):
        M.Tokenizer(tmp_path / 'tokenizer.model')


def test_real_llama2_tokenizer():
    tok = M.Tokenizer(asset('tokenizers/llama2/tokenizer.model'))
    assert (tok.kind, tok.n_words, tok.bos_id, tok.eos_id) == ('sentencepiece', 32000, 1, 2)
    assert tok.encode('Hello world', bos=True, eos=False) == [1, 15043, 3186]


def test_real_llama3_tokenizer():
    tok = M.Tokenizer(asset('tokenizers/llama3/tokenizer.model'))
    assert tok.n_words == 128256
    assert tok.encode("This is a test sentence.", bos=True, eos=True) == [128000, 2028, 374, 264, 1296, 11914, 13, 128001]
    assert (tok.special['<|eot_id|>'], tok.special['<|eom_id|>'], tok.special['<|finetune_right_pad_id|>']) == (
        128009, 128008, 128004)


# ---------------------------------------------------------------- Hugging Face's tokenizer files

HF_LINES = ["The river runs past 12 old mills, and bakers open at dawn.", "  two  spaces,\ttabs\n\nand newlines ",
            "नदी के किनारे एक पुराना गाँव है।", "我们去河边。", "Café “quoted” – 3½ naïve ü 😀", "", " "]


def auto_tokenizer(folder, monkeypatch):
    """transformers' AutoTokenizer on folder, with its converters made to fail: nothing is converted at load."""
    import transformers.convert_slow_tokenizer as C
    from transformers import AutoTokenizer

    def refuse(*args, **kwargs):
        raise AssertionError("transformers converted a tokenizer at load time")
    with monkeypatch.context() as m:
        m.setattr(C.SentencePieceExtractor, '__init__', refuse)
        m.setattr(C.TikTokenConverter, '__init__', refuse)
        return AutoTokenizer.from_pretrained(folder)


def check_hf_export(tok, folder, lines, monkeypatch):
    """save_hf_tokenizer's folder: AutoTokenizer gives tok's ids (BOS first) and decodes them back as tok
    does, and reading the folder back gives the same vocabulary (digest)."""
    M.save_hf_tokenizer(tok, folder)
    hf = auto_tokenizer(folder, monkeypatch)
    assert len(hf) == tok.n_words and (hf.bos_token_id, hf.eos_token_id) == (tok.bos_id, tok.eos_id)
    for line in lines:
        ids = tok.encode(line, bos=True, eos=False)
        assert hf(line)['input_ids'] == ids, line
        assert hf.decode(ids[1:]) == tok.decode(ids[1:]), line
    back = M.Tokenizer(M.find_tokenizer('', folder))
    assert back.digest == tok.digest and back.n_words == tok.n_words and back.stop_tokens == tok.stop_tokens
    return back


@pytest.fixture(scope='module')
def llama_like_sp(tmp_path_factory):
    """A SentencePiece model trained as the demo's is (tokenize_prep.train_tokenizer: LLaMA's options)."""
    import tokenize_prep as T
    d = tmp_path_factory.mktemp('llama_like')
    (d / 'en.txt').write_text(TEXT_EN)
    return T.train_tokenizer(str(d / 'en.txt'), d / 'tokenizer.model', 300)


TEXT_EN = ''.join(f"Line {i}: the river runs past {i * 7 % 13} old mills, and bakers open at dawn.\n"
                  for i in range(200))
HINDI = ["नदी के किनारे एक पुराना गाँव है और लोग सुबह बाज़ार जाते हैं।", "मेरा नाम राम है और मैं दिल्ली में रहता हूँ।",
         "आज मौसम बहुत अच्छा है, चलो पार्क में घूमने चलते हैं।", "हम कल सुबह ट्रेन से मुंबई जाएंगे।"] * 20


def test_hf_tokenizer_files_give_the_same_ids(llama_like_sp, tiktoken_file, tmp_path, monkeypatch):
    """Both kinds, base and extended (tokenize_prep's extension): the exported folder loads in transformers
    to model.Tokenizer's ids, and reads back as the same tokenizer."""
    import tokenize_prep as T
    (tmp_path / 'hi.txt').write_text('\n'.join(HINDI) + '\n')
    lines = HF_LINES + TEXT_EN.splitlines()[:20] + HINDI[:4]
    for name, base in (('sp', llama_like_sp), ('tt', tiktoken_file)):
        ext = T.extend_tokenizer(base, {'hi': str(tmp_path / 'hi.txt')}, tmp_path / f'{name}.ext.model', 60)
        for tok, folder in ((M.Tokenizer(base), tmp_path / name), (ext, tmp_path / f'{name}_ext')):
            back = check_hf_export(tok, folder, lines, monkeypatch)
            assert back.path.name == ('tokenizer.model' if name == 'sp' else 'tokenizer.json')
    assert ext.n_words > 266 + 256 and ext.bos_id == 266  # the specials stay in the gap, new tokens after them


def test_vocabulary_digest(tiktoken_file, llama_like_sp, tmp_path):
    """Identity is the vocabulary: the same ranks as Meta's file and as tokenizer.json are one tokenizer;
    another order of the same tokens is another."""
    tok = M.Tokenizer(tiktoken_file)
    M.save_hf_tokenizer(tok, tmp_path / 'hf')
    as_json = M.Tokenizer(tmp_path / 'hf/tokenizer.json')
    assert as_json.digest == tok.digest and as_json.sha256 != tok.sha256 and as_json.special == tok.special
    (tmp_path / 'crlf.model').write_bytes(tiktoken_file.read_bytes().replace(b'\n', b'\r\n'))
    assert M.Tokenizer(tmp_path / 'crlf.model').digest == tok.digest
    swapped = tiktoken_file.read_text().replace('dGg= 256', 'dGg= 257').replace('aGU= 257', 'aGU= 256')  # th, he
    (tmp_path / 'swapped.model').write_text(swapped)
    assert M.Tokenizer(tmp_path / 'swapped.model').digest != tok.digest
    assert M.Tokenizer(llama_like_sp).digest not in (tok.digest, M.Tokenizer(append_sp(llama_like_sp, tmp_path)).digest)


def append_sp(model_file, tmp_path):
    (tmp_path / 'sp_plus.model').write_bytes(append_pieces(model_file, ['▁riverbank']))
    return tmp_path / 'sp_plus.model'


def test_tokenizer_json_that_is_not_byte_level_bpe_is_refused(tiktoken_file, llama_like_sp, sp_tokenizer, tmp_path):
    M.save_hf_tokenizer(M.Tokenizer(llama_like_sp), tmp_path / 'sp')
    (tmp_path / 'sp/tokenizer.model').unlink()  # SentencePiece's tokenizer.json alone
    M.save_hf_tokenizer(M.Tokenizer(tiktoken_file), tmp_path / 'tt')
    spec = json.loads((tmp_path / 'tt/tokenizer.json').read_text())
    gpt2 = dict(spec, pre_tokenizer={'type': 'ByteLevel', 'add_prefix_space': False, 'use_regex': True})
    swapped = dict(spec, model=dict(spec['model'], merges=spec['model']['merges'][::-1]))
    cases = {'wordpiece.json': {'model': {'type': 'WordPiece', 'vocab': {'a': 0}}}, 'list.json': [1, 2],
             'unigram.json': {'model': {'type': 'Unigram', 'vocab': [['a', 0]]}, 'pre_tokenizer': {'type': 'Split'}},
             'gpt2.json': gpt2, 'merges.json': swapped}
    for name, spec in cases.items():
        (tmp_path / name).write_text(json.dumps(spec))
    messages = {'sp': 'not byte-level BPE', 'wordpiece.json': 'not byte-level BPE', 'list.json': 'not byte-level',
                'unigram.json': 'not byte-level BPE', 'gpt2.json': "does not split text as Llama 3",
                'merges.json': 'out of rank order'}
    for name, message in messages.items():
        path = M.find_tokenizer('', tmp_path / name)
        with pytest.raises(P.InputError, match=message) as e:
            M.Tokenizer(path)
        assert str(e.value).startswith(f'error: {path}: ') and '\n' not in str(e.value)
    with pytest.warns(UserWarning, match="normalizer is not LLaMA's"):  # NFKC, extra spaces removed
        M.save_hf_tokenizer(M.Tokenizer(sp_tokenizer), tmp_path / 'nfkc')
    with pytest.raises(P.InputError, match='no tokenizer file here'):
        M.find_tokenizer('', tmp_path)  # a folder without tokenizer.model or tokenizer.json


@pytest.mark.parametrize('which', ['llama2', 'llama3'])
def test_hf_tokenizer_files_of_meta_tokenizers_on_flores(which, tmp_path, monkeypatch):
    """Meta's tokenizers, base and extended on a little FLORES text: AutoTokenizer on the exported folder
    gives model.Tokenizer's ids on 300 lines of each of six languages (four scripts); the folder reads back
    as the same vocabulary (Llama 3's from its tokenizer.json, the folder's only tokenizer file)."""
    import tokenize_prep as T
    path = asset(f'tokenizers/{which}/tokenizer.model')
    langs = ('eng_Latn', 'deu_Latn', 'tur_Latn', 'vie_Latn', 'hin_Deva', 'zho_Hans')
    flores = {k: asset(f'flores200-devtest/{k}.devtest').read_text(encoding='utf-8').splitlines() for k in langs}
    texts = {}
    for k in ('hin_Deva', 'zho_Hans'):
        texts[k] = tmp_path / f'{k}.txt'
        texts[k].write_text('\n'.join(flores[k][-200:]) + '\n', encoding='utf-8')
    ext = T.extend_tokenizer(path, {k: str(p) for k, p in texts.items()}, tmp_path / 'ext.model', 2000)
    lines = [s for k in langs for s in flores[k][:300]]
    for tok, folder in ((M.Tokenizer(path), tmp_path / 'base'), (ext, tmp_path / 'ext')):
        back = check_hf_export(tok, folder, lines, monkeypatch)  # Llama 3: read from tokenizer.json
        assert back.path.name == ('tokenizer.model' if which == 'llama2' else 'tokenizer.json')
    assert ext.n_words > M.Tokenizer(path).n_words + 500 and (which == 'llama2' or ext.bos_id == 128000)


# ---------------------------------------------------------------- generation

def test_batched_greedy_equals_one_prompt_at_a_time_and_stops():
    args = tiny_args(**CONFIGS['llama3'])
    model = random_model(args).eval()
    prompts = [[1, 5, 9, 14, 20, 3], [1, 7], [1, 8, 8, 8]]
    alone = [M.generate(model, [p], 10) for p in prompts]
    together = M.generate(model, prompts, 10)
    assert together == [a[0] for a in alone] and all(len(t) == 10 for t in together)
    stop = together[0][4]
    cut = M.generate(model, prompts, 10, stop_tokens=(stop,))
    assert cut[0] == together[0][:together[0].index(stop)]


def test_top_p_sampling_keeps_the_nucleus():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    g = torch.Generator().manual_seed(0)
    draws = {M.sample(logits, 1.0, 0.7, g).item() for _ in range(300)}
    assert draws == {0, 1}  # 0.5 + 0.3 reaches 0.7; tokens 2 and 3 are outside the nucleus


def test_cli_continues_a_prompt(tmp_path, sp_tokenizer):
    args = tiny_args()
    write_checkpoint(tmp_path, args, random_model(args).state_dict(), sp_tokenizer)
    r = subprocess.run([sys.executable, 'model.py', f'--ckpt_dir={tmp_path}', '--prompt=The river',
                        '--max_new_tokens=5'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    tok = M.Tokenizer(sp_tokenizer)
    model, _ = M.load(tmp_path)
    new = M.generate(model, [tok.encode('The river', bos=True, eos=False)], 5)[0]
    assert r.stdout == 'The river' + tok.decode(new) + '\n'


# ---------------------------------------------------------------- settings

def test_configure_reads_config_file_then_flags(tmp_path):
    (tmp_path / 'c.py').write_text('"""doc"""\nlr = 3  # an int is fine for a float\nname = "x"\nsizes = [1, 2]\n')
    defaults = {'__file__': 'model.py', 'lr': 1e-3, 'name': 'a', 'sizes': [4], 'flag': False, 'opt': None}
    cfg = P.configure(defaults, [str(tmp_path / 'c.py'), '--name=y', '--flag=true', '--opt=abc'])
    assert (cfg.lr, cfg.name, cfg.sizes, cfg.flag, cfg.opt) == (3.0, 'y', [1, 2], True, 'abc')
    (tmp_path / 'bad.py').write_text('lr = 1\nlrr = 2\n')
    with pytest.raises(P.InputError, match=re.escape(f"{tmp_path / 'bad.py'} line 2: unknown setting 'lrr'")):
        P.configure(defaults, [str(tmp_path / 'bad.py')])
    with pytest.raises(P.InputError, match='lr must be a float'):
        (tmp_path / 'bad2.py').write_text('lr = "fast"\n')
        P.configure(defaults, [str(tmp_path / 'bad2.py')])
    with pytest.raises(P.InputError, match='expected a bool'):
        P.configure(defaults, ['--flag=maybe'])
    with pytest.raises(P.InputError, match='only `name = value` lines'):
        (tmp_path / 'bad3.py').write_text('import os\n')
        P.configure(defaults, [str(tmp_path / 'bad3.py')])


def test_configure_checks_shape_from_flags_as_from_files(tmp_path):
    """A value's type and shape are its default's, from --name=value as from a config file: a list where a dict
    is meant, a list's or a dict's items of another type, and a list the shell stripped of its quotes are one
    line each; a path setting takes a list of paths."""
    defaults = {'__file__': 'pretrain.py', 'mixture': {'en': 1.0}, 'targets': ['wq', 'wk'], 'files': {'en': 'a.txt'},
                'budget': {}, 'steps': 10}
    for argv, words in ((['--mixture=["en"]'], "mixture must be a dict like {'en': 1.0}, not ['en']"),
                        (["--mixture={'en': 'x'}"], "mixture['en'] must be a float"),
                        (['--targets="wq"'], "targets must be a list like ['wq', ...], not 'wq'"),
                        (['--targets=[wq]'], "quote the strings in it"),
                        (["--targets=['wq', 1]"], "targets must be a list of str items"),
                        (['--budget=[1]'], 'budget must be a dict'),
                        (['--files={1: "a"}'], 'its keys are names'),
                        (['--steps=[3]'], 'expected an int')):
        with pytest.raises(P.InputError, match=re.escape(words)):
            P.configure(defaults, argv)
    (tmp_path / 'c.py').write_text('mixture = ["en"]\n')
    with pytest.raises(P.InputError, match=re.escape(f"{tmp_path / 'c.py'} line 1: mixture must be a dict like")):
        P.configure(defaults, [str(tmp_path / 'c.py')])
    cfg = P.configure(defaults, ["--mixture={'hi': 1}", '--files={"en": ["a.txt", "b.txt"]}', '--budget={"en": 5}'])
    assert (cfg.mixture, cfg.files, cfg.budget) == ({'hi': 1}, {'en': ['a.txt', 'b.txt']}, {'en': 5})


def test_help_lists_every_setting_with_default_and_comment():
    r = subprocess.run([sys.executable, 'model.py', '--help'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0
    assert "--temperature=0.0" in r.stdout and '# 0 = greedy' in r.stdout and '--ckpt_dir=' in r.stdout


def test_a_llama_1_download_loads_with_its_tokenizer_in_the_parent(tmp_path, sp_tokenizer):
    """LLaMA 1/2's layout: llama/7B/{params.json, consolidated.00.pth} and llama/tokenizer.model; LLaMA 1's
    params.json says vocab_size -1 (the tokenizer decides)."""
    args = tiny_args(vocab_size=M.Tokenizer(sp_tokenizer).n_words)
    model = random_model(args).eval()
    ckpt = write_checkpoint(tmp_path / 'llama' / '7B', args, model.state_dict(), None)
    params = json.loads((ckpt / 'params.json').read_text())
    (ckpt / 'params.json').write_text(json.dumps({**params, 'vocab_size': -1}))
    (tmp_path / 'llama' / 'tokenizer.model').write_bytes(Path(sp_tokenizer).read_bytes())
    loaded, tok = M.load(ckpt)
    assert tok.path == tmp_path / 'llama' / 'tokenizer.model' and loaded.args.vocab_size == tok.n_words
    x = torch.tensor([tok.encode('The river runs through the old town', bos=True, eos=False)])
    with torch.no_grad():
        assert (loaded(x) - model(x)).abs().max() < 1e-6
