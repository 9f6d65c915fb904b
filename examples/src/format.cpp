#include <iomanip>
#include <sstream>
#include "ngrams.hpp"

namespace ex {

std::string format_table(const std::vector<std::pair<std::string, long>> &rows)
{
	std::ostringstream out;
	for (const auto &[gram, count] : rows)
		out << std::setw(6) << count << ' ' << gram << '\n';
	return out.str();
}

} // namespace ex
