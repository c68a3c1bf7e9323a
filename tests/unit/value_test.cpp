#include <tabula/value.hpp>

#include <gtest/gtest.h>

#include <tuple>

namespace tabula {
namespace {

using namespace std::chrono;

template <class T>
void expect_value_error(const Value& v, const std::string& fragment) {
  try {
    (void)v.get<T>();
    ADD_FAILURE() << "read " << v.to_string() << " without error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(ValueTest, DefaultIsNullAndOptionalReadsIt) {
  Value v;
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(v.get<std::optional<std::int64_t>>(), std::nullopt);
  EXPECT_EQ(v.to_string(), "NULL");
  expect_value_error<std::int64_t>(v, "cannot read NULL as");
  expect_value_error<std::string>(v, "std::optional<T>");
  EXPECT_TRUE(Value(std::optional<int>{}).is_null());
  EXPECT_EQ(Value(std::optional<int>{4}).get<int>(), 4);
}

TEST(ValueTest, IntegersConvertOnlyWithoutLoss) {
  Value small = 3;
  EXPECT_EQ(small.kind(), Value::Kind::int64);
  EXPECT_EQ(small.get<int>(), 3);
  EXPECT_EQ(small.get<std::uint8_t>(), 3u);
  EXPECT_EQ(small.get<double>(), 3.0);
  EXPECT_EQ(small.get<Decimal>(), Decimal("3"));
  EXPECT_EQ(small.get<std::optional<long>>(), 3L);
  Value big = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(big.kind(), Value::Kind::uint64);
  EXPECT_EQ(big.get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
  expect_value_error<std::int64_t>(big, "uint64 value 18446744073709551615");
  expect_value_error<double>(big, "as double");
  EXPECT_EQ(big.get<Decimal>().str(), "18446744073709551615");
  expect_value_error<std::int8_t>(Value(300), "narrower integer");
  expect_value_error<std::uint32_t>(Value(-1), "as an unsigned integer");
  EXPECT_EQ(Value(std::int64_t{1} << 53).get<double>(), 9007199254740992.0);
  expect_value_error<double>(Value((std::int64_t{1} << 53) + 1), "as double");
}

TEST(ValueTest, BoolIsZeroOrOne) {
  EXPECT_EQ(Value(true).get<bool>(), true);
  EXPECT_EQ(Value(0).get<bool>(), false);
  expect_value_error<bool>(Value(2), "as bool");
}

TEST(ValueTest, DecimalsStayExact) {
  Decimal d("-0012.500");
  EXPECT_EQ(d.str(), "-0012.500");
  EXPECT_TRUE(d.negative());
  EXPECT_EQ(d.integer_digits(), 2);
  EXPECT_EQ(d.fraction_digits(), 3);
  EXPECT_EQ(Decimal(".5").str(), "0.5");
  EXPECT_EQ(Decimal("-.5").str(), "-0.5");
  EXPECT_EQ(Decimal("+7").str(), "7");
  EXPECT_EQ(Decimal("0.001").integer_digits(), 0);
  // (text, digits before the point, digits after it)
  for (auto [text, before, after] : {std::tuple{"42", 2, 0},
                                     {"-0", 0, 0},
                                     {"000", 0, 0},
                                     {"100", 3, 0},
                                     {"7.0", 1, 1},
                                     {"-0.25", 0, 2},
                                     {"0010.10", 2, 2}}) {
    EXPECT_EQ(Decimal(text).integer_digits(), before) << text;
    EXPECT_EQ(Decimal(text).fraction_digits(), after) << text;
  }
  std::string wide = "12345678901234567890123456789012345.123456789012345678901234567890";
  Value v = Decimal(wide);
  EXPECT_EQ(v.get<Decimal>().str(), wide) << "digit for digit";
  EXPECT_EQ(v.to_string(), wide);
  expect_value_error<double>(v, "Decimal value");
  for (const char* bad : {"", "-", ".", "1.2.3", "1e5", "abc", "1 2", "0x10"}) {
    EXPECT_THROW(Decimal{bad}, ValueError) << bad;
  }
}

TEST(ValueTest, TextBytesAndTimesRender) {
  EXPECT_EQ(Value("it's").to_string(), "'it's'");
  EXPECT_EQ(Value("it's").get<std::string>(), "it's");
  expect_value_error<std::int64_t>(Value("12"), "string value '12'");
  Bytes b{std::byte{0}, std::byte{0xff}};
  EXPECT_EQ(Value(b).to_string(), "x'00ff'");
  EXPECT_EQ(Value(b).get<Bytes>(), b);
  Date day = year{2026} / November / 25;
  EXPECT_EQ(Value(day).to_string(), "2026-11-25");
  Date zero = year{0} / month{0} / 0d;
  EXPECT_EQ(Value(zero).to_string(), "0000-00-00") << "MySQL's zero date is representable";
  DateTime at{day, hours{12} + milliseconds{500}};
  EXPECT_EQ(Value(at).to_string(), "2026-11-25 12:00:00.5");
  EXPECT_EQ(Value(at).get<DateTime>(), at);
  EXPECT_EQ(Value(Time{-(hours{838} + minutes{59} + seconds{59})}).to_string(), "-838:59:59");
  std::string long_text(100, 'x');
  EXPECT_NE(Value(long_text).to_string().find("(100 bytes)"), std::string::npos);
  expect_value_error<Date>(Value("2026-11-25"), "as Date");
}

TEST(ValueTest, EqualityIsByKindAndContent) {
  EXPECT_EQ(Value(1), Value(std::int64_t{1}));
  EXPECT_NE(Value(1), Value(std::uint64_t{1})) << "kinds differ";
  EXPECT_NE(Value(Decimal("1.0")), Value(Decimal("1.00"))) << "text is kept as written";
  EXPECT_EQ(Value(), Value(nullptr));
}

}  // namespace
}  // namespace tabula
