// serial: one task after another on the calling thread, the baseline.
#pragma once

#include "models/model.hpp"

namespace cvp {

class SerialModel final : public Model {
 public:
  SerialModel() : Model(1) {}
  std::string_view name() const override { return "serial"; }
  RunReport run(const Workload& w, std::span<Digest> out) override;
};

}  // namespace cvp
