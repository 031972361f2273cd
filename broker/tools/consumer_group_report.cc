#include "broker/tools/consumer_group_report.h"

#include <algorithm>
#include <set>

namespace sluice::tools {

namespace {

constexpr const char* kMissing = "-";

std::string OrMissing(const std::optional<std::string>& value) {
  return value ? *value : kMissing;
}

template <typename Int>
std::string OrMissing(const std::optional<Int>& value) {
  return value ? std::to_string(*value) : kMissing;
}

// Java's "%-Ns": left-aligned, padded to at least `width`.
std::string Pad(const std::string& text, size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

// One table line: every column but the last padded and followed by a space, as Kafka's format
// strings "%-Ns %-Ms ... %s" do.
std::string Line(const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i + 1 < cells.size()) {
      line += Pad(cells[i], widths[i]) + " ";
    } else {
      line += cells[i];
    }
  }
  return line;
}

std::string Describe(const TopicPartition& tp) {
  return tp.topic + "-" + std::to_string(tp.partition.value());
}

}  // namespace

std::optional<int64_t> OffsetRow::lag() const {
  if (!current_offset || *current_offset == -1 || !log_end_offset) return std::nullopt;
  return *log_end_offset - *current_offset;
}

std::vector<OffsetRow> BuildOffsetRows(const GroupInfo& group,
                                       const std::map<TopicPartition, int64_t>& committed,
                                       const std::map<TopicPartition, int64_t>& log_end_offsets) {
  auto row_for = [&](const TopicPartition& tp) {
    OffsetRow row;
    row.group = group.group_id;
    row.topic = tp.topic;
    row.partition = tp.partition.value();
    if (auto it = committed.find(tp); it != committed.end()) row.current_offset = it->second;
    if (auto it = log_end_offsets.find(tp); it != log_end_offsets.end()) {
      row.log_end_offset = it->second;
    }
    return row;
  };
  std::vector<const GroupMemberInfo*> owners;
  for (const GroupMemberInfo& m : group.members) {
    if (!m.assignment.empty()) owners.push_back(&m);
  }
  std::stable_sort(owners.begin(), owners.end(), [](const auto* a, const auto* b) {
    return a->assignment.size() > b->assignment.size();
  });
  std::vector<OffsetRow> rows;
  std::set<TopicPartition> owned;
  for (const GroupMemberInfo* m : owners) {
    std::vector<TopicPartition> partitions = m->assignment;
    std::sort(partitions.begin(), partitions.end());
    for (const TopicPartition& tp : partitions) {
      OffsetRow row = row_for(tp);
      row.consumer_id = m->member_id;
      row.host = m->host;
      row.client_id = m->client_id;
      rows.push_back(std::move(row));
      owned.insert(tp);
    }
  }
  for (const auto& [tp, offset] : committed) {
    if (owned.contains(tp)) continue;
    rows.push_back(row_for(tp));  // member columns stay "-"
  }
  return rows;
}

bool ReportGroupState(const std::string& group, const std::string& state, size_t rows,
                      std::ostream& out, std::ostream& err) {
  if (state == "Dead") {
    out << "\nError: Consumer group '" << group << "' does not exist.\n";
    return false;
  }
  if (state == "Empty") {
    err << "\nConsumer group '" << group << "' has no active members.\n";
  } else if (state == "PreparingRebalance" || state == "CompletingRebalance") {
    err << "\nWarning: Consumer group '" << group << "' is rebalancing.\n";
  }
  return rows > 0;
}

void PrintOffsetsTable(const std::vector<OffsetRow>& rows, std::ostream& out) {
  std::vector<size_t> widths = {15, 15, 10, 15, 15, 15, 15, 15, 0};
  for (const OffsetRow& r : rows) {
    widths[0] = std::max(widths[0], r.group.size());
    widths[1] = std::max(widths[1], OrMissing(r.topic).size());
    widths[6] = std::max(widths[6], OrMissing(r.consumer_id).size());
    widths[7] = std::max(widths[7], OrMissing(r.host).size());
  }
  out << "\n"
      << Line({"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
               "CONSUMER-ID", "HOST", "CLIENT-ID"},
              widths);
  for (const OffsetRow& r : rows) {
    out << "\n"
        << Line({r.group, OrMissing(r.topic), OrMissing(r.partition), OrMissing(r.current_offset),
                 OrMissing(r.log_end_offset), OrMissing(r.lag()), OrMissing(r.consumer_id),
                 OrMissing(r.host), OrMissing(r.client_id)},
                widths);
  }
  out << "\n";
}

void PrintMembersTable(const GroupInfo& group, bool verbose, std::ostream& out) {
  bool with_instance_id = false;
  std::vector<size_t> widths = {15, 15, 17, 15, 15, 15, 0};
  for (const GroupMemberInfo& m : group.members) {
    widths[0] = std::max(widths[0], group.group_id.size());
    widths[1] = std::max(widths[1], m.member_id.size());
    if (m.group_instance_id) {
      with_instance_id = true;
      widths[2] = std::max(widths[2], m.group_instance_id->size());
    }
    widths[3] = std::max(widths[3], m.host.size());
    widths[4] = std::max(widths[4], m.client_id.size());
  }
  // Kafka's format ends with "%-15s " after #PARTITIONS, then ASSIGNMENT with --verbose.
  auto line = [&](std::vector<std::string> cells, const std::string& assignment) {
    if (!with_instance_id) cells.erase(cells.begin() + 2);
    std::vector<size_t> w = widths;
    if (!with_instance_id) w.erase(w.begin() + 2);
    cells.push_back(verbose ? assignment : "");
    return Line(cells, w);
  };
  out << "\n" << line({"GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID",
                       "#PARTITIONS"},
                      "ASSIGNMENT");
  for (const GroupMemberInfo& m : group.members) {
    // --verbose lists the assignment as "topic(0,1),other(2)", "-" when there is none.
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const TopicPartition& tp : m.assignment) by_topic[tp.topic].push_back(tp.partition.value());
    std::string assignment;
    for (auto& [topic, partitions] : by_topic) {
      std::sort(partitions.begin(), partitions.end());
      if (!assignment.empty()) assignment += ",";
      assignment += topic + "(";
      for (size_t i = 0; i < partitions.size(); ++i) {
        assignment += (i ? "," : "") + std::to_string(partitions[i]);
      }
      assignment += ")";
    }
    out << "\n" << line({group.group_id, m.member_id, OrMissing(m.group_instance_id), m.host,
                         m.client_id, std::to_string(m.assignment.size())},
                        assignment.empty() ? kMissing : assignment);
  }
  out << "\n";
}

void PrintStateTable(const GroupInfo& group, std::ostream& out) {
  // Kafka sizes the first column by the coordinator's text (sic), at least 25.
  const size_t first = std::max<size_t>(25, group.coordinator.size());
  const std::vector<size_t> widths = {first, 25, 20, 15, 0};
  out << "\n"
      << Line({"GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"}, widths)
      << "\n"
      << Line({group.group_id, group.coordinator, group.assignment_strategy, group.state,
               std::to_string(group.members.size())},
              widths)
      << "\n";
}

void PrintResetTable(const std::map<std::string, std::map<TopicPartition, int64_t>>& plan,
                     std::ostream& out) {
  // Kafka's format "%-30s %-30s %-10s %-15s" pads the last column too.
  const std::vector<size_t> widths = {30, 30, 10, 15};
  if (!plan.empty()) {
    out << "\n" << Line({"GROUP", "TOPIC", "PARTITION", Pad("NEW-OFFSET", 15)}, widths) << "\n";
  }
  for (const auto& [group, offsets] : plan) {
    for (const auto& [tp, offset] : offsets) {
      out << Line({group, tp.topic, std::to_string(tp.partition.value()),
                   Pad(std::to_string(offset), 15)},
                  widths)
          << "\n";
    }
  }
  out << "\n";
}

Result<std::map<TopicPartition, int64_t>> PlanOffsetReset(ResetScenario scenario, int64_t value,
                                                          const ResetInputs& in,
                                                          std::ostream& warnings) {
  auto bound = [&](const TopicPartition& tp, int64_t offset) -> Result<int64_t> {
    auto lo = in.earliest.find(tp);
    auto hi = in.latest.find(tp);
    if (lo == in.earliest.end() || hi == in.latest.end()) {
      return Status::NotFound("No offsets known for partition " + Describe(tp));
    }
    if (offset > hi->second) {
      warnings << "New offset (" << offset << ") is higher than latest offset for topic partition "
               << Describe(tp) << ". Value will be set to " << hi->second << "\n";
      return hi->second;
    }
    if (offset < lo->second) {
      warnings << "New offset (" << offset << ") is lower than earliest offset for topic partition "
               << Describe(tp) << ". Value will be set to " << lo->second << "\n";
      return lo->second;
    }
    return offset;
  };
  std::map<TopicPartition, int64_t> plan;
  for (const TopicPartition& tp : in.partitions) {
    Result<int64_t> target = int64_t{0};
    auto committed = in.committed.find(tp);
    switch (scenario) {
      case ResetScenario::kToEarliest:
      case ResetScenario::kToLatest: {
        const auto& source = scenario == ResetScenario::kToEarliest ? in.earliest : in.latest;
        auto it = source.find(tp);
        if (it == source.end()) {
          return Status::NotFound("No offsets known for partition " + Describe(tp));
        }
        target = it->second;
        break;
      }
      case ResetScenario::kToOffset:
        target = bound(tp, value);
        break;
      case ResetScenario::kShiftBy:
        if (committed == in.committed.end()) {
          return Status::InvalidArgument("Cannot shift offset for partition " + Describe(tp) +
                                         " since there is no current committed offset");
        }
        target = bound(tp, committed->second + value);
        break;
      case ResetScenario::kToCurrent: {
        // Kafka resets partitions without a commit to their log end offset.
        if (committed != in.committed.end()) {
          target = committed->second;
          break;
        }
        auto latest = in.latest.find(tp);
        if (latest == in.latest.end()) {
          return Status::NotFound("No offsets known for partition " + Describe(tp));
        }
        target = latest->second;
        break;
      }
    }
    if (!target.ok()) return target.status();
    plan[tp] = *target;
  }
  return plan;
}

}  // namespace sluice::tools
