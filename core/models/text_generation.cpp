#include "core/models/text_generation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/common/error.h"

namespace sa {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The logits processors in transformers' order: repetition penalty, no-repeat n-grams, min length.
void processLogits(const torch::Tensor& ids, torch::Tensor& scores, int64_t eos, const GenerationOptions& o) {
    if (o.repetition_penalty != 1.0) {
        auto s = scores.gather(1, ids);
        s = torch::where(s < 0, s * o.repetition_penalty, s / o.repetition_penalty);
        scores.scatter_(1, ids, s);
    }
    const int n = o.no_repeat_ngram_size;
    const int64_t length = ids.size(1);
    if (n > 0 && length + 1 >= n) {
        auto rows = ids.to(torch::kCPU).contiguous();
        for (int64_t r = 0; r < rows.size(0); ++r) {
            const int64_t* seq = rows[r].data_ptr<int64_t>();
            // Every token that followed an earlier occurrence of the last n - 1 tokens.
            for (int64_t start = 0; start + n <= length; ++start)
                if (std::equal(seq + start, seq + start + n - 1, seq + length - (n - 1)))
                    scores[r][seq[start + n - 1]] = kNegInf;
        }
    }
    if (length < o.min_length) scores.select(1, eos).fill_(kNegInf);
}

int64_t targetLength(const GenerationOptions& o, int64_t promptLength) {
    return o.max_new_tokens > 0 ? promptLength + o.max_new_tokens : o.max_length;
}

torch::Tensor greedy(StepDecoder& decoder, torch::Tensor ids, int64_t eos, int64_t pad, const GenerationOptions& o,
                     const CancelToken* cancel) {
    const int64_t maxLength = targetLength(o, ids.size(1));
    auto unfinished = torch::ones({ids.size(0)}, ids.options());
    auto fresh = ids;
    while (true) {
        throwIfCancelled(cancel);
        auto scores = decoder.next(fresh).to(torch::kCPU, torch::kFloat32);
        processLogits(ids, scores, eos, o);
        auto next = scores.argmax(-1);
        next = next * unfinished + pad * (1 - unfinished);
        ids = torch::cat({ids, next.unsqueeze(1)}, 1);
        fresh = next.unsqueeze(1);
        unfinished = unfinished * (next != eos).to(torch::kLong);
        if (unfinished.max().item<int64_t>() == 0 || ids.size(1) >= maxLength) return ids;
    }
}

// BeamHypotheses: the finished sequences of one prompt, at most `beams`, by length-normalised score.
struct Hypotheses {
    int beams;
    double lengthPenalty;
    std::vector<std::pair<double, std::vector<int64_t>>> entries;  // insertion order matters for ties
    double worst = 1e9;

    void add(std::vector<int64_t> tokens, double sumLogprobs, int64_t generatedLength) {
        const double score = sumLogprobs / std::pow(static_cast<double>(generatedLength), lengthPenalty);
        if (static_cast<int>(entries.size()) >= beams && score <= worst) return;
        entries.emplace_back(score, std::move(tokens));
        if (static_cast<int>(entries.size()) > beams) {
            std::vector<std::pair<double, size_t>> order;
            for (size_t i = 0; i < entries.size(); ++i) order.emplace_back(entries[i].first, i);
            std::sort(order.begin(), order.end());
            entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(order[0].second));
            worst = order[1].first;
        } else {
            worst = std::min(score, worst);
        }
    }
    bool done(double bestSumLogprobs, int64_t generatedLength, bool earlyStopping) const {
        if (static_cast<int>(entries.size()) < beams) return false;
        if (earlyStopping) return true;
        return worst >= bestSumLogprobs / std::pow(static_cast<double>(generatedLength), lengthPenalty);
    }
    // sorted(beams, key=score).pop(): the highest score, the later one on a tie.
    const std::vector<int64_t>& best() const {
        size_t at = 0;
        for (size_t i = 1; i < entries.size(); ++i)
            if (entries[i].first >= entries[at].first) at = i;
        return entries[at].second;
    }
};

std::vector<int64_t> row(const torch::Tensor& ids, int64_t r) {
    auto c = ids[r].to(torch::kCPU).contiguous();
    return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

torch::Tensor beamSearch(StepDecoder& decoder, const torch::Tensor& prompt, int64_t eos, int64_t pad,
                         const GenerationOptions& o, const CancelToken* cancel) {
    const int64_t batch = prompt.size(0), k = o.num_beams, promptLength = prompt.size(1);
    const int64_t maxLength = targetLength(o, promptLength);
    decoder.expand(k);
    auto ids = prompt.repeat_interleave(k, 0);
    auto beamScores = torch::zeros({batch, k});
    beamScores.slice(1, 1).fill_(-1e9);
    beamScores = beamScores.view({batch * k});
    std::vector<Hypotheses> hyps(batch, Hypotheses{static_cast<int>(k), o.length_penalty, {}});
    std::vector<bool> finished(batch, false);
    auto fresh = ids;
    while (true) {
        throwIfCancelled(cancel);
        auto logits = decoder.next(fresh).to(torch::kCPU, torch::kFloat32);
        auto scores = torch::log_softmax(logits, -1);
        processLogits(ids, scores, eos, o);
        const int64_t vocab = scores.size(1);
        auto total = (scores + beamScores.unsqueeze(1)).view({batch, k * vocab});
        auto [topScores, topIndices] = total.topk(2 * k, 1, true, true);
        const int64_t curLength = ids.size(1) + 1;

        auto nextScores = torch::zeros({batch, k}), nextTokens = torch::full({batch, k}, pad, torch::kLong);
        auto nextBeams = torch::zeros({batch, k}, torch::kLong);
        for (int64_t b = 0; b < batch; ++b) {
            if (finished[b]) continue;
            int64_t j = 0;
            for (int64_t rank = 0; rank < 2 * k && j < k; ++rank) {
                const int64_t index = topIndices[b][rank].item<int64_t>();
                const int64_t token = index % vocab, beam = b * k + index / vocab;
                const float score = topScores[b][rank].item<float>();
                if (token == eos) {
                    if (rank >= k) continue;  // an eos outside the top k is not a candidate
                    hyps[b].add(row(ids, beam), score, curLength - promptLength);
                } else {
                    nextScores[b][j] = score, nextTokens[b][j] = token, nextBeams[b][j] = beam;
                    ++j;
                }
            }
            finished[b] = hyps[b].done(topScores[b].max().item<float>(), curLength - promptLength, o.early_stopping);
        }
        auto beamIndex = nextBeams.view({batch * k});
        beamScores = nextScores.view({batch * k});
        ids = torch::cat({ids.index_select(0, beamIndex), nextTokens.view({batch * k, 1})}, 1);
        decoder.select(beamIndex);
        fresh = ids.slice(1, ids.size(1) - 1);
        if (std::all_of(finished.begin(), finished.end(), [](bool f) { return f; }) || ids.size(1) >= maxLength) break;
    }
    // finalize: open beams join their prompt's hypotheses, the best of each is returned.
    for (int64_t b = 0; b < batch; ++b)
        if (!finished[b])
            for (int64_t beam = 0; beam < k; ++beam)
                hyps[b].add(row(ids, b * k + beam), beamScores[b * k + beam].item<float>(), ids.size(1) - promptLength);
    size_t longest = 0;
    for (const auto& h : hyps) longest = std::max(longest, h.best().size());
    const int64_t width = std::min<int64_t>(static_cast<int64_t>(longest) + 1, maxLength);
    auto out = torch::full({batch, width}, pad, torch::kLong);
    for (int64_t b = 0; b < batch; ++b) {
        const auto& best = hyps[b].best();
        for (size_t i = 0; i < best.size(); ++i) out[b][static_cast<int64_t>(i)] = best[i];
        if (static_cast<int64_t>(best.size()) < width) out[b][static_cast<int64_t>(best.size())] = eos;
    }
    return out;
}

}  // namespace

void GenerationOptions::validate() const {
    if (max_length < 1 || max_length > 4096) fail("generation: max_length {} must be between 1 and 4096", max_length);
    if (max_new_tokens < 0 || max_new_tokens > 4096)
        fail("generation: max_new_tokens {} must be between 0 and 4096", max_new_tokens);
    if (min_length < 0) fail("generation: min_length {} must not be negative", min_length);
    if (num_beams < 1 || num_beams > 64) fail("generation: num_beams {} must be between 1 and 64", num_beams);
    if (!(repetition_penalty > 0) || !std::isfinite(repetition_penalty))
        fail("generation: repetition_penalty must be a positive number");
    if (no_repeat_ngram_size < 0) fail("generation: no_repeat_ngram_size must not be negative");
    if (!std::isfinite(length_penalty)) fail("generation: length_penalty must be a finite number");
}

torch::Tensor generateTokens(StepDecoder& decoder, const torch::Tensor& prompt, int64_t eos, int64_t pad,
                             const GenerationOptions& options, const CancelToken* cancel) {
    options.validate();
    if (prompt.dim() != 2 || prompt.size(1) == 0) fail("generation: the prompt must be [batch, tokens] with a token");
    auto ids = prompt.to(torch::kCPU, torch::kLong);
    torch::NoGradGuard noGrad;
    return options.num_beams == 1 ? greedy(decoder, ids, eos, pad, options, cancel)
                                  : beamSearch(decoder, ids, eos, pad, options, cancel);
}

}  // namespace sa
