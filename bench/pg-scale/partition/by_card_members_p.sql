\set id random(1, :members)
SELECT insurer_number AS ins, number_key AS nk, birth_date AS bd FROM members WHERE member_id = :id \gset
SELECT member_id FROM members_p WHERE insurer_number = :ins AND number_key = :nk AND birth_date = :bd;
